/// A content descriptor: what a blob is, its digest and its size.
///
/// See image-spec `descriptor.md`. Fields Ferry does not model are not kept here; the document a
/// descriptor came from keeps its exact bytes, so nothing is lost when a document is copied.
public struct Descriptor: Hashable, Sendable, Codable {
    /// The media type of the referenced content.
    public var mediaType: MediaType
    /// The digest of the referenced content's exact bytes.
    public var digest: Digest
    /// The length of the referenced content in bytes.
    public var size: Int64
    /// Alternate locations (foreign layers).
    public var urls: [String]?
    /// Arbitrary string metadata.
    public var annotations: [String: String]?
    /// The content itself, base64-encoded (embedded small blobs).
    public var data: String?
    /// The artifact type of the referenced manifest.
    public var artifactType: String?
    /// The platform of the referenced manifest (index entries).
    public var platform: Platform?

    public init(
        mediaType: MediaType, digest: Digest, size: Int64, urls: [String]? = nil, annotations: [String: String]? = nil, data: String? = nil,
        artifactType: String? = nil, platform: Platform? = nil
    ) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.urls = urls
        self.annotations = annotations
        self.data = data
        self.artifactType = artifactType
        self.platform = platform
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mediaType = try c.decode(MediaType.self, forKey: .mediaType)
        // The descriptor schema requires RFC 6838 type/subtype, as verify checks it.
        guard mediaType.isWellFormed else {
            throw DecodingError.dataCorruptedError(
                forKey: .mediaType, in: c, debugDescription: "mediaType \(mediaType.rawValue.debugDescription.prefix(200)) is not a type/subtype media type")
        }
        digest = try c.decode(Digest.self, forKey: .digest)
        size = try c.decode(Int64.self, forKey: .size)
        guard size >= 0 else {
            throw DecodingError.dataCorruptedError(forKey: .size, in: c, debugDescription: "size \(size) of \(digest) is negative")
        }
        urls = try c.decodeIfPresent([String].self, forKey: .urls)
        annotations = try c.decodeIfPresent([String: String].self, forKey: .annotations)
        data = try c.decodeIfPresent(String.self, forKey: .data)
        artifactType = try c.decodeIfPresent(String.self, forKey: .artifactType)
        if let artifactType, !MediaType(artifactType).isWellFormed {
            throw DecodingError.dataCorruptedError(
                forKey: .artifactType, in: c, debugDescription: "artifactType \(artifactType.debugDescription.prefix(200)) is not a type/subtype media type")
        }
        platform = try c.decodeIfPresent(Platform.self, forKey: .platform)
    }

    /// The `org.opencontainers.image.ref.name` annotation: a tag in a layout's `index.json`.
    public var referenceName: String? { annotations?[AnnotationKey.refName] }
}

/// Annotation keys Ferry reads or writes.
public enum AnnotationKey {
    /// The name of a reference in an OCI layout's `index.json` (a tag, in skopeo's convention).
    public static let refName = "org.opencontainers.image.ref.name"
    /// The full image name written by containerd and Docker 25+.
    public static let containerdImageName = "io.containerd.image.name"
    /// Marks BuildKit attestation manifests in an index.
    public static let dockerReferenceType = "vnd.docker.reference.type"
    /// Creation time.
    public static let created = "org.opencontainers.image.created"
}
