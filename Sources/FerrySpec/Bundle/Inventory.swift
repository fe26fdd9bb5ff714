/// What a place holds — a registry's repositories, an OCI layout, a bundle or a docker-archive —
/// as `ferry inventory` writes it: for each image its reference and manifest digest, and every
/// blob (config or layer) with its size and where it lives.
///
/// Small enough to carry back across an air gap (a few hundred bytes per image, ~100 per blob),
/// it tells `ferry sync --have` which blobs the far side holds, so a delta bundle carries only the
/// others. It never holds credentials. The format is documented in docs/inventory.md; readers
/// refuse a ``schemaVersion`` they do not know.
public struct Inventory: Codable, Sendable, Hashable, VersionedBundleFile {
    static let what = "a Ferry inventory"
    /// The format's media type.
    public static let mediaType = "application/vnd.ferry.inventory.v1+json"
    /// The version this code writes and reads.
    public static let currentSchemaVersion = 1

    /// One image found.
    public struct Image: Codable, Sendable, Hashable {
        /// Where it was found (`docker://site.local`, `oci:/srv/mirror`, …).
        public var place: String
        /// Its repository in a registry (`mirror/library/busybox`); `nil` elsewhere.
        public var repository: String?
        /// Its name there: a tag in a registry, the full reference in a layout or bundle.
        public var name: String?
        /// The digest of its top-level manifest or index.
        public var digest: Digest
        /// The media type of that document.
        public var mediaType: String

        public init(place: String, repository: String?, name: String?, digest: Digest, mediaType: String) {
            self.place = place
            self.repository = repository
            self.name = name
            self.digest = digest
            self.mediaType = mediaType
        }
    }

    /// One blob present.
    public struct Blob: Codable, Sendable, Hashable {
        public var digest: Digest
        public var size: Int64
        /// The registry repositories that hold it (a registry mounts it from any of them); empty
        /// for a layout, bundle or archive.
        public var repositories: [String]

        public init(digest: Digest, size: Int64, repositories: [String] = []) {
            self.digest = digest
            self.size = size
            self.repositories = repositories
        }
    }

    public var schemaVersion: Int
    public var mediaType: String
    /// When it was taken (RFC 3339, UTC).
    public var created: String
    /// The places inventoried, as given.
    public var places: [String]
    /// Images found, sorted by place, repository and name.
    public var images: [Image]
    /// Blobs found, sorted by digest; each digest once.
    public var blobs: [Blob]

    public init(created: String, places: [String], images: [Image], blobs: [Blob]) {
        schemaVersion = Self.currentSchemaVersion
        mediaType = Self.mediaType
        self.created = created
        self.places = places
        self.images = images
        self.blobs = blobs
    }

    /// The blobs by digest.
    public var blobsByDigest: [Digest: Blob] { Self.byDigest(blobs) }

    /// `blobs` by digest, each digest once with the repositories of all its entries.
    public static func byDigest(_ blobs: [Blob]) -> [Digest: Blob] {
        Dictionary(
            blobs.map { ($0.digest, $0) },
            uniquingKeysWith: { a, b in
                var merged = a
                merged.repositories += b.repositories.filter { !a.repositories.contains($0) }
                return merged
            })
    }

    /// Reads an inventory.
    /// - Throws: ``SpecError`` (`invalidDocument`) naming `context` when the bytes are not an
    ///   inventory or are of a version this code does not read.
    public static func decode(_ bytes: [UInt8], context: String) throws(SpecError) -> Inventory {
        try decodeChecked(bytes, context: context)
    }

    /// The inventory's bytes: compact, keys sorted, so the same holdings give the same file.
    public func encoded() throws -> [UInt8] { try BundleJSON.encode(self) }
}
