import FerrySpec

/// One item of a `docker save` archive's `manifest.json` (formats.md §5.1): the config member,
/// the names, and the layer members, base first.
///
/// `Parent` and `LayerSources` are read past: Ferry describes every layer by the member's own
/// content, so a `LayerSources` entry pointing at a blob outside the archive is not followed.
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

    enum CodingKeys: String, CodingKey {
        case config = "Config", repoTags = "RepoTags", layers = "Layers"
    }

    init(config: String, repoTags: [String], layers: [String]) {
        self.config = config
        self.repoTags = repoTags
        self.layers = layers
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        config = try c.decode(String.self, forKey: .config)
        repoTags = try c.decodeIfPresent([String].self, forKey: .repoTags) ?? []
        layers = try c.decodeIfPresent([String].self, forKey: .layers) ?? []
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
