import Foundation

/// How much longer than usual a test may wait for something that takes real time.
public enum TestTiming {
    /// 1 in a plain run; 4 when the suite runs under a sanitizer (`FERRY_SANITIZE`, set by
    /// `Scripts/sanitize`), where everything runs several times slower. Bounds that a test asserts
    /// about Ferry itself (a cut-off after N seconds) are multiplied by it; nothing else is.
    public static let scale: Int = ProcessInfo.processInfo.environment["FERRY_SANITIZE"].map { $0.isEmpty ? 1 : 4 } ?? 1
}

/// The lifetime of the token registry's short-lived tokens (`USER-short-*`, `USER-stale-*`), in
/// seconds: 5, times ``TestTiming/scale``.
public enum TokenLifetime {
    public static let short = 5 * TestTiming.scale
}
