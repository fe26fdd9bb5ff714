/// The manifest families Ferry writes: OCI, or Docker schema 2.
///
/// See formats.md §2.2: converting between them rewrites only media types; config and layer bytes
/// stay, the manifest digest changes.
public enum ManifestFormat: String, Sendable, Hashable, CaseIterable, Codable {
    /// `application/vnd.oci.image.manifest.v1+json` and `…index.v1+json`.
    case oci
    /// `application/vnd.docker.distribution.manifest.v2+json` and `…manifest.list.v2+json` (skopeo calls it v2s2).
    case v2s2

    /// The format a manifest or index media type belongs to, or `nil` (schema 1, unknown).
    public init?(_ mediaType: MediaType) {
        switch mediaType.essence {
        case MediaType.ociManifest.rawValue, MediaType.ociIndex.rawValue: self = .oci
        case MediaType.dockerManifest.rawValue, MediaType.dockerManifestList.rawValue: self = .v2s2
        default: return nil
        }
    }

    /// The image manifest media type of this format.
    public var manifestMediaType: MediaType { self == .oci ? .ociManifest : .dockerManifest }
    /// The index / manifest list media type of this format.
    public var indexMediaType: MediaType { self == .oci ? .ociIndex : .dockerManifestList }
    /// The image config media type of this format.
    public var configMediaType: MediaType { self == .oci ? .ociConfig : .dockerConfig }

    /// The layer media type of this format for a compression.
    /// - Throws: ``SpecError`` (`unsupported`) for zstd in Docker schema 2, which has no type for it.
    public func layerMediaType(_ compression: LayerCompression, foreign: Bool = false) throws(SpecError) -> MediaType {
        switch self {
        case .oci:
            return .ociLayer(compression, foreign: foreign)
        case .v2s2:
            guard let type = MediaType.dockerLayer(compression, foreign: foreign) else {
                throw SpecError(.unsupported, "Docker schema 2 has no media type for \(compression) layers; use --format oci or --compress gzip")
            }
            return type
        }
    }
}
