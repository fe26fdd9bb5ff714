import Foundation
@testable import FerryRegistry
import Testing

/// A token server's `issued_at` and `expires_in` are network input: read without ICU and without
/// arithmetic that can trap (both found by the `token-response` fuzz target, docs/fuzzing.md).
struct TokenTimestampTests {
    /// Rows: text, seconds since 1970 (`nil`: refused).
    @Test(
        arguments: [
            ("1970-01-01T00:00:00Z", 0.0),
            ("2025-06-15T15:06:00Z", 1_749_999_960.0),
            ("2025-06-15T15:06:00.5Z", 1_749_999_960.5),
            ("2025-06-15t15:06:00.123456789z", 1_749_999_960.123456789),
            ("2025-06-15T17:06:00+02:00", 1_749_999_960.0),
            ("2025-06-15T13:36:00-01:30", 1_749_999_960.0),
            ("2024-02-29T00:00:00Z", 1_709_164_800.0),
            ("2000-03-01T00:00:00Z", 951_868_800.0),
            ("0001-01-01T00:00:00Z", -62_135_596_800.0),
            // The input that killed ICU's parser (SIGFPE): the fraction is cut to nanoseconds.
            ("2025-06-15T15:06:00.126666666666666666666666666666666666666666666666666666666666666666666666663456789Z", 1_749_999_960.126666666),
            ("2025-02-29T00:00:00Z", nil),
            ("2025-06-15T24:00:00Z", nil),
            ("2025-06-15T15:06:00", nil),
            ("2025-06-15T15:06:00.Z", nil),
            ("2025-06-15 15:06:00Z", nil),
            ("2025-6-15T15:06:00Z", nil),
            ("2025-06-15T15:06:00Z ", nil),
            ("", nil),
        ] as [(String, Double?)])
    func parsesRFC3339(_ text: String, _ expected: Double?) {
        let parsed = IssuedToken.parseTimestamp(text)?.timeIntervalSince1970
        if let expected, let parsed {
            #expect(abs(parsed - expected) < 1e-6, "\(text)")
        } else {
            #expect(parsed == expected, "\(text)")
        }
    }

    /// Rows: `expires_in`, `issued_at` age in seconds, the lifetime left in seconds.
    @Test(
        arguments: [
            (300, 100.0, 200.0),
            (Int.max, 10.0, 86_390.0),
            (Int.max, nil, 86_400.0),
            (Int.min, nil, 1.0),
            (0, nil, 1.0),
        ] as [(Int, Double?, Double)])
    func lifetimeNeverTraps(_ expiresIn: Int, _ age: Double?, _ left: Double) {
        let now = Date(timeIntervalSince1970: 1_750_000_000)
        let remaining = IssuedToken.remaining(expiresIn: expiresIn, issuedAt: age.map { now.addingTimeInterval(-$0) }, now: now)
        #expect(remaining == .milliseconds(Int64(left * 1000)), "expires_in \(expiresIn)")
    }
}
