import FerrySpec

/// One item of a `docker save` archive's `manifest.json` (formats.md §5.1): the config member,
/// the names, the layer members (base first), and the optional `Parent` and `LayerSources`.
///
/// `Parent` and `LayerSources` are read leniently (``DockerLayerSources``): a value of the wrong
/// type counts as absent, so it never keeps an otherwise valid archive from being read. Ferry
/// describes every layer by the member's own content; a `LayerSources` descriptor pointing at a
/// blob outside the archive (a foreign layer's URLs) is never followed.
struct DockerSaveManifest: Codable, Sendable, Hashable {
    /// The file's name at the root of the archive.
    static let fileName = "manifest.json"
    /// The largest `manifest.json` Ferry reads.
    static let sizeLimit = 1 << 20

    /// The config member.
    var config: String
    /// Names as written (`busybox:latest` or `docker.io/library/busybox:latest`); empty when untagged.
    var repoTags: [String]
    /// Layer members, base first.
    var layers: [String]
    /// The parent image's ID as written, or `nil` (absent, or not a string). Not used for copying.
    var parent: String?
    /// Where layers came from, by DiffID (foreign layers, or every layer for Docker 25+).
    var layerSources: DockerLayerSources

    enum CodingKeys: String, CodingKey {
        case config = "Config", repoTags = "RepoTags", layers = "Layers", parent = "Parent", layerSources = "LayerSources"
    }

    init(config: String, repoTags: [String], layers: [String], layerSources: DockerLayerSources = DockerLayerSources()) {
        self.config = config
        self.repoTags = repoTags
        self.layers = layers
        self.layerSources = layerSources
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        config = try c.decode(String.self, forKey: .config)
        repoTags = try c.decodeIfPresent([String].self, forKey: .repoTags) ?? []
        layers = try c.decodeIfPresent([String].self, forKey: .layers) ?? []
        parent = try? c.decodeIfPresent(String.self, forKey: .parent)
        layerSources = DockerLayerSources.decode(from: c, forKey: .layerSources)
    }

    /// Writes `Config`, `Layers`, `RepoTags`, and `LayerSources` and `Parent` only when there is
    /// something to say (as `docker save` omits them), so an archive without foreign layers keeps
    /// the bytes it always had.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(config, forKey: .config)
        try c.encode(repoTags, forKey: .repoTags)
        try c.encode(layers, forKey: .layers)
        try c.encodeIfPresent(parent, forKey: .parent)
        let descriptors = layerSources.descriptors
        if !descriptors.isEmpty { try c.encode(descriptors, forKey: .layerSources) }
    }

    /// Decodes `manifest.json`: a JSON array (possibly empty); `null` and other values are refused.
    static func decode(_ bytes: [UInt8], context: String) throws(TransportError) -> [DockerSaveManifest] {
        do {
            guard let items = try JSONDocument.decode([DockerSaveManifest]?.self, from: bytes, context: context) else {
                throw TransportError(.invalidInput, "\(context) is null; expected a JSON array of images")
            }
            return items
        } catch let error as SpecError {
            throw TransportError(.invalidInput, error.message)
        } catch let error as TransportError {
            throw error
        } catch {
            throw TransportError(.invalidInput, "\(context): \(error)")
        }
    }
}

/// The `config.rootfs.diff_ids` of an image config, read leniently (old configs lack fields
/// that ``ImageConfig`` requires).
struct DiffIDs: Decodable {
    private struct RootFS: Decodable {
        var diff_ids: [Digest]?
    }
    private var rootfs: RootFS?

    /// The DiffIDs, base first (empty when the config has none).
    var values: [Digest] { rootfs?.diff_ids ?? [] }

    static func decode(_ bytes: [UInt8], context: String) throws(TransportError) -> [Digest] {
        do {
            return try JSONDocument.decode(DiffIDs.self, from: bytes, context: context).values
        } catch {
            throw TransportError(.invalidInput, error.message)
        }
    }
}
