/// A content digest such as `sha256:e3b0…`, validated once at the edge.
///
/// The grammar is the OCI image-spec's (`algorithm ":" encoded`). For the algorithms Ferry knows
/// (`sha256`, `sha512`) the encoded part must also be lowercase hex of the right length, so a
/// `Digest` of a known algorithm is always safe to use as a file name. A grammatical digest with
/// an unknown algorithm is accepted (the spec says to carry it) but ``isVerifiable`` is `false`.
///
/// See image-spec `descriptor.md`, "Digests".
public struct Digest: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// The algorithm part, such as `sha256`.
    public let algorithm: String
    /// The encoded part: lowercase hex for known algorithms.
    public let encoded: String

    /// The hash algorithms Ferry can compute.
    public enum Algorithm: String, Sendable, CaseIterable {
        case sha256, sha512

        /// Length of the hex encoding.
        public var hexLength: Int { self == .sha256 ? 64 : 128 }
    }

    /// Parses and validates a digest string.
    /// - Throws: ``SpecError`` with code `invalidDigest` naming the string and the rule it breaks.
    public init(parsing string: String) throws(SpecError) {
        guard let colon = string.firstIndex(of: ":") else {
            throw SpecError(.invalidDigest, "invalid digest \"\(Self.printable(string))\": expected ALGORITHM:HEX, e.g. sha256:e3b0c442…")
        }
        let algorithm = String(string[..<colon])
        let encoded = String(string[string.index(after: colon)...])
        guard Self.isValidAlgorithm(algorithm) else {
            throw SpecError(
                .invalidDigest,
                "invalid digest \"\(Self.printable(string))\": algorithm \"\(Self.printable(algorithm))\" is not lowercase [a-z0-9] components joined by + . _ -"
            )
        }
        guard !encoded.isEmpty, encoded.utf8.allSatisfy(Self.isEncodedByte) else {
            throw SpecError(.invalidDigest, "invalid digest \"\(Self.printable(string))\": the encoded part must be non-empty [a-zA-Z0-9=_-]")
        }
        if let known = Algorithm(rawValue: algorithm) {
            guard encoded.utf8.count == known.hexLength else {
                throw SpecError(
                    .invalidDigest,
                    "invalid digest \"\(Self.printable(string))\": \(algorithm) needs \(known.hexLength) hex characters, found \(encoded.utf8.count)")
            }
            guard encoded.utf8.allSatisfy(Self.isLowerHex) else {
                throw SpecError(.invalidDigest, "invalid digest \"\(Self.printable(string))\": \(algorithm) must be lowercase hex")
            }
        }
        self.algorithm = algorithm
        self.encoded = encoded
    }

    /// Builds a digest from a known algorithm and its lowercase hex value.
    /// - Throws: ``SpecError`` if `hex` is not lowercase hex of the right length.
    public init(_ algorithm: Algorithm, hex: String) throws(SpecError) {
        try self.init(parsing: "\(algorithm.rawValue):\(hex)")
    }

    /// The algorithm if Ferry can compute it, else `nil`.
    public var knownAlgorithm: Algorithm? { Algorithm(rawValue: algorithm) }

    /// Whether Ferry can check content against this digest.
    public var isVerifiable: Bool { knownAlgorithm != nil }

    /// The algorithms the image-spec registers (`descriptor.md`, "Registered algorithms").
    public static let registeredAlgorithms: Set<String> = ["sha256", "sha512", "blake3"]

    /// Whether the image-spec registers this digest's algorithm. Content under an unregistered
    /// one (`sha1`, `md5`) cannot be checked by any peer.
    public var isRegistered: Bool { Self.registeredAlgorithms.contains(algorithm) }

    public var description: String { "\(algorithm):\(encoded)" }

    /// The first 12 hex characters, for messages and tables (`sha256:ab12cd34ef56`).
    public var short: String { "\(algorithm):\(encoded.prefix(12))" }

    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.description < rhs.description }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        do {
            try self.init(parsing: string)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    // MARK: Grammar

    private static func isValidAlgorithm(_ s: String) -> Bool {
        // component ( separator component )*, component = [a-z0-9]+, separator = [+._-]
        var previousWasSeparator = true
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                previousWasSeparator = false
            case UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                if previousWasSeparator { return false }
                previousWasSeparator = true
            default:
                return false
            }
        }
        return !s.isEmpty && !previousWasSeparator
    }

    private static func isEncodedByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "="), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    private static func isLowerHex(_ b: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(b)
    }

    /// A string cut to a readable length with control characters escaped, for error messages.
    static func printable(_ s: String, limit: Int = 80) -> String {
        let escaped = s.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
        return escaped.count > limit ? String(escaped.prefix(limit)) + "…" : escaped
    }
}

extension Digest {
    /// The digest of zero bytes.
    public static let emptySHA256 = try! Digest(parsing: "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    /// The digest of `{}`, the OCI empty blob.
    public static let emptyJSON = try! Digest(parsing: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
    /// The DiffID of an empty layer (a tar of 1024 zero bytes).
    public static let emptyLayerDiffID = try! Digest(parsing: "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef")
    /// The 32-byte gzip of the empty tar that schema 1 images carry.
    public static let gzippedEmptyLayer = try! Digest(parsing: "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4")
}
