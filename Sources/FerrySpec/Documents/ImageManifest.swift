import Foundation

/// An OCI image manifest or a Docker schema 2 manifest (the same shape).
///
/// See image-spec `manifest.md` and distribution `manifest-v2-2.md`.
public struct ImageManifest: Sendable, Hashable, Codable {
    public var schemaVersion: Int
    public var mediaType: MediaType?
    public var artifactType: String?
    public var config: Descriptor
    public var layers: [Descriptor]
    public var subject: Descriptor?
    public var annotations: [String: String]?

    public init(
        schemaVersion: Int = 2, mediaType: MediaType?, artifactType: String? = nil, config: Descriptor, layers: [Descriptor], subject: Descriptor? = nil,
        annotations: [String: String]? = nil
    ) {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.artifactType = artifactType
        self.config = config
        self.layers = layers
        self.subject = subject
        self.annotations = annotations
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c.decode(Int.self, forKey: .schemaVersion)
        mediaType = try c.decodeIfPresent(MediaType.self, forKey: .mediaType)
        artifactType = try c.decodeIfPresent(String.self, forKey: .artifactType)
        config = try c.decode(Descriptor.self, forKey: .config)
        // `layers` is required by the schema; `null` from sloppy writers is read as empty.
        layers = try c.decodeIfPresent([Descriptor].self, forKey: .layers) ?? []
        // An image is at most 2^63−1 bytes: what says more is not an image, and would overflow
        // every sum of its sizes.
        if let problem = Self.sizeProblem(config: config, layers: layers) {
            throw DecodingError.dataCorruptedError(forKey: .layers, in: c, debugDescription: problem)
        }
        subject = try c.decodeIfPresent(Descriptor.self, forKey: .subject)
        annotations = try c.decodeIfPresent([String: String].self, forKey: .annotations)
    }

    /// What is wrong with the sizes a manifest declares, or `nil`: they must add up to at most
    /// `Int64.max` (2^63−1) bytes, or every sum of them would overflow.
    public static func sizeProblem(config: Descriptor?, layers: [Descriptor]) -> String? {
        guard ByteSum.exact((config.map { [$0.size] } ?? []) + layers.map(\.size)) == nil else { return nil }
        return "the sizes of the config and layers add up to more than \(Int64.max) bytes (2^63−1)"
    }

    /// Every descriptor this manifest references: config first, then layers in order.
    public var children: [Descriptor] { [config] + layers }
}
