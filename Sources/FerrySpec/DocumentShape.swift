import Foundation

/// Whether a document's content is of the kind its descriptor's media type says: an index has
/// `manifests`, an image manifest has `config` and `layers`. A document of one kind read as the
/// other would be copied as something else (an index of nothing), so the two must agree.
public enum DocumentShape {
    private struct Probe: Decodable {
        var manifests: IgnoredValue?
        var config: IgnoredValue?
        var layers: IgnoredValue?
    }

    /// A sentence saying how the content contradicts `mediaType`, or `nil` when it does not (or
    /// the bytes are not a JSON object, which decoding reports on its own).
    public static func contradiction(_ bytes: [UInt8], labelled mediaType: MediaType) -> String? {
        guard mediaType.isIndex || mediaType.isManifest,
            let probe = try? JSONDecoder().decode(Probe.self, from: Data(bytes))
        else { return nil }
        if mediaType.isIndex && probe.manifests == nil && (probe.config != nil || probe.layers != nil) {
            return "labelled \(mediaType) (an index) but its content is an image manifest (config and layers, no manifests)"
        }
        if mediaType.isManifest && probe.config == nil && probe.manifests != nil {
            return "labelled \(mediaType) (an image manifest) but its content is an index (manifests, no config)"
        }
        return nil
    }
}
