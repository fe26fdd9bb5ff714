/// What a delta bundle relies on the far side having: the layers `ferry sync --have` left out
/// because an inventory of the far side listed them. Stored in the bundle as
/// ``fileName`` beside `index.json` (docs/bundles.md).
///
/// An import (`ferry sync BUNDLE DEST`) checks, before writing any manifest, that each of these
/// is in the destination — mounting it from a ``Blob/repositories`` entry in a registry — and
/// otherwise stops, listing what is missing.
public struct BundleDelta: Codable, Sendable, Hashable, VersionedBundleFile {
    static let what = "a Ferry delta record"
    /// The file's name at the root of the bundle's layout.
    public static let fileName = "ferry-delta.json"
    /// The format's media type.
    public static let mediaType = "application/vnd.ferry.bundle.delta.v1+json"
    /// The version this code writes and reads.
    public static let currentSchemaVersion = 1

    /// A blob the bundle does not carry.
    public struct Blob: Codable, Sendable, Hashable {
        public var digest: Digest
        public var size: Int64
        public var mediaType: String
        /// The images of the bundle that use it (their names in the bundle).
        public var images: [String]
        /// The far registry's repositories the inventory saw it in, to mount it from.
        public var repositories: [String]

        public init(digest: Digest, size: Int64, mediaType: String, images: [String], repositories: [String]) {
            self.digest = digest
            self.size = size
            self.mediaType = mediaType
            self.images = images
            self.repositories = repositories
        }
    }

    public var schemaVersion: Int
    public var mediaType: String
    /// The blobs relied on, sorted by digest.
    public var reliesOn: [Blob]

    public init(reliesOn: [Blob]) {
        schemaVersion = Self.currentSchemaVersion
        mediaType = Self.mediaType
        self.reliesOn = reliesOn.sorted { $0.digest < $1.digest }
    }

    /// Reads a delta record.
    /// - Throws: ``SpecError`` (`invalidDocument`) naming `context`.
    public static func decode(_ bytes: [UInt8], context: String) throws(SpecError) -> BundleDelta {
        try decodeChecked(bytes, context: "\(context): \(fileName)")
    }

    public func encoded() throws -> [UInt8] { try BundleJSON.encode(self) }
}
