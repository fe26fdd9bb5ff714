import Foundation

/// An OCI image index or a Docker manifest list (the same shape).
///
/// See image-spec `image-index.md`.
public struct ImageIndex: Sendable, Hashable, Codable {
    public var schemaVersion: Int
    public var mediaType: MediaType?
    public var artifactType: String?
    public var manifests: [Descriptor]
    public var subject: Descriptor?
    public var annotations: [String: String]?

    public init(
        schemaVersion: Int = 2, mediaType: MediaType? = .ociIndex, artifactType: String? = nil, manifests: [Descriptor], subject: Descriptor? = nil,
        annotations: [String: String]? = nil
    ) {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.artifactType = artifactType
        self.manifests = manifests
        self.subject = subject
        self.annotations = annotations
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c.decode(Int.self, forKey: .schemaVersion)
        mediaType = try c.decodeIfPresent(MediaType.self, forKey: .mediaType)
        artifactType = try c.decodeIfPresent(String.self, forKey: .artifactType)
        manifests = try c.decodeIfPresent([Descriptor].self, forKey: .manifests) ?? []
        subject = try c.decodeIfPresent(Descriptor.self, forKey: .subject)
        annotations = try c.decodeIfPresent([String: String].self, forKey: .annotations)
    }
}
