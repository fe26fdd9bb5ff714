import FerrySpec
import Foundation
import Testing

private let hex256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
private let hex512 = String(repeating: "0f", count: 64)

@Suite("Digest parsing")
struct DigestParsingTests {
    /// input, algorithm, encoded, verifiable
    static let valid: [(String, String, String, Bool)] = [
        // Known algorithms: lowercase hex of the right length
        ("sha256:\(hex256)", "sha256", hex256, true),
        ("sha512:\(hex512)", "sha512", hex512, true),
        // Unknown but grammatical algorithms are carried, not verifiable
        ("blake3:\(hex256)", "blake3", hex256, false),
        ("multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8", "multihash+base58", "QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8", false),
        ("sha256.v2_x-y:A=b_c-D", "sha256.v2_x-y", "A=b_c-D", false),
    ]

    @Test("accepts digests in the grammar", arguments: valid)
    func parsesValidDigest(input: String, algorithm: String, encoded: String, verifiable: Bool) throws {
        let digest = try Digest(parsing: input)
        #expect(digest.algorithm == algorithm)
        #expect(digest.encoded == encoded)
        #expect(digest.isVerifiable == verifiable)
        #expect(digest.knownAlgorithm == Digest.Algorithm(rawValue: algorithm))
        // description round trip
        #expect(digest.description == input)
        #expect(try Digest(parsing: digest.description) == digest)
    }

    /// input, a fragment of the expected message
    static let invalid: [(String, String)] = [
        // Known algorithms: lowercase hex only, exact length
        ("sha256:\(hex256.uppercased())", "must be lowercase hex"),
        ("sha256:\(hex256.dropLast())", "needs 64 hex characters, found 63"),
        ("sha256:\(hex256)0", "needs 64 hex characters, found 65"),
        ("sha512:\(hex256)", "needs 128 hex characters, found 64"),
        ("sha256:" + String(repeating: "g", count: 64), "must be lowercase hex"),
        // Algorithm must be lowercase components joined by single separators, not at the ends
        ("SHA256:\(hex256)", "algorithm \"SHA256\""),
        ("-sha256:\(hex256)", "algorithm \"-sha256\""),
        ("sha256-:\(hex256)", "algorithm \"sha256-\""),
        ("sha..256:\(hex256)", "algorithm \"sha..256\""),
        // Empty parts and a missing colon
        (":\(hex256)", "algorithm \"\""),
        ("sha256:", "non-empty"),
        ("", "expected ALGORITHM:HEX"),
        (hex256, "expected ALGORITHM:HEX"),
        // Path tricks never pass
        ("sha256:../x", "non-empty [a-zA-Z0-9=_-]"),
        ("sha256:../../etc/passwd", "non-empty [a-zA-Z0-9=_-]"),
        ("foo:a/b", "non-empty [a-zA-Z0-9=_-]"),
    ]

    @Test("rejects digests outside the grammar", arguments: invalid)
    func rejectsInvalidDigest(input: String, rule: String) {
        let error = #expect(throws: SpecError.self) { try Digest(parsing: input) }
        #expect(error?.code == .invalidDigest)
        #expect(error?.message.contains(rule) == true, "message: \(error?.message ?? "none")")
    }

    @Test("init(_:hex:) validates like parsing")
    func buildFromAlgorithm() throws {
        #expect(try Digest(.sha256, hex: hex256) == Digest.emptySHA256)
        let error = #expect(throws: SpecError.self) { try Digest(.sha512, hex: hex256) }
        #expect(error?.code == .invalidDigest)
    }

    @Test("short shows the first 12 hex characters")
    func shortForm() {
        #expect(Digest.emptySHA256.short == "sha256:e3b0c44298fc")
    }
}

@Suite("Digest JSON")
struct DigestJSONTests {
    struct Holder: Codable, Equatable {
        var digest: Digest
    }

    @Test("encodes as its string and decodes back")
    func roundTrip() throws {
        let holder = Holder(digest: .emptyJSON)
        let bytes = try JSONDocument.encode(holder)
        #expect(String(decoding: bytes, as: UTF8.self) == "{\"digest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\"}")
        #expect(try JSONDocument.decode(Holder.self, from: bytes, context: "test") == holder)
    }

    @Test("an invalid digest in JSON is a decoding error naming the field")
    func decodeError() {
        let bytes = Array(#"{"digest":"sha256:ABC"}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Holder.self, from: Data(bytes)) }
        let error = #expect(throws: SpecError.self) { try JSONDocument.decode(Holder.self, from: bytes, context: "blob x") }
        #expect(error?.code == .invalidDocument)
        #expect(error?.message.hasPrefix("blob x: digest: ") == true, "message: \(error?.message ?? "none")")
        #expect(error?.message.contains("needs 64 hex characters") == true)
    }
}
