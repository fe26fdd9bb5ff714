/// The parts manifest of a bundle split for media (`ferry sync --split-size`): the parts in
/// order, each with its size and SHA-256, so a missing, short or corrupt part is named before
/// anything is read from the others. The parts concatenated are the one-file bundle
/// (`cat update.tar.0* > update.tar`); this file is written beside them as
/// `NAME.parts.json` (docs/bundles.md).
public struct BundleParts: Codable, Sendable, Hashable, VersionedBundleFile {
    static let what = "a Ferry parts manifest"
    /// The format's media type.
    public static let mediaType = "application/vnd.ferry.bundle.parts.v1+json"
    /// The version this code writes and reads.
    public static let currentSchemaVersion = 1
    /// The suffix of a parts manifest's file name.
    public static let fileSuffix = ".parts.json"

    /// One part.
    public struct Part: Codable, Sendable, Hashable {
        /// Its file name, beside the parts manifest (`update.tar.001`).
        public var name: String
        public var size: Int64
        /// The SHA-256 of its bytes.
        public var digest: Digest

        public init(name: String, size: Int64, digest: Digest) {
            self.name = name
            self.size = size
            self.digest = digest
        }
    }

    public var schemaVersion: Int
    public var mediaType: String
    /// The one-file bundle's name (`update.tar`).
    public var bundle: String
    /// Its size: the sum of the parts'.
    public var size: Int64
    /// The parts, in order.
    public var parts: [Part]

    public init(bundle: String, parts: [Part]) {
        schemaVersion = Self.currentSchemaVersion
        mediaType = Self.mediaType
        self.bundle = bundle
        self.parts = parts
        size = parts.reduce(Int64(0)) { $0 &+ $1.size }
    }

    /// The name of part `number` (1-based) of `bundle`: `update.tar.001`; three digits at least.
    public static func partName(_ bundle: String, number: Int) -> String {
        let digits = String(number)
        return bundle + "." + String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    }

    /// Reads a parts manifest.
    /// - Throws: ``SpecError`` (`invalidDocument`) naming `context`.
    public static func decode(_ bytes: [UInt8], context: String) throws(SpecError) -> BundleParts {
        let parts = try decodeChecked(bytes, context: context)
        guard !parts.parts.isEmpty, parts.parts.allSatisfy({ $0.size >= 0 && !$0.name.contains("/") && !$0.name.isEmpty && $0.name != "." && $0.name != ".." })
        else {
            throw SpecError(.invalidDocument, "\(context): lists no parts, or a part whose name is a path or whose size is negative")
        }
        var total = Int64(0)
        for part in parts.parts {
            let (sum, overflow) = total.addingReportingOverflow(part.size)
            guard !overflow else { throw SpecError(.invalidDocument, "\(context): part sizes add up to more than a file can hold") }
            total = sum
        }
        guard total == parts.size else {
            throw SpecError(.invalidDocument, "\(context): the parts add up to \(total) bytes, not the \(parts.size) it gives as the bundle's size")
        }
        return parts
    }

    public func encoded() throws -> [UInt8] { try BundleJSON.encode(self) }
}
