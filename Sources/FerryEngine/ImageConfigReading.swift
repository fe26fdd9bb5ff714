import FerrySpec
import Foundation

/// The one reading of an image config that copy and verify share (image-spec `config.md`): every
/// field has the type the image-spec gives it, `rootfs.diff_ids` lists one DiffID per layer, and
/// `history` one entry that is not `empty_layer` per layer.
enum ImageConfigReading {
    /// Decodes `bytes` as the config of an image with `layerCount` layers.
    /// - Throws: ``SpecError`` (a field of the wrong type, malformed JSON) or ``EngineError``
    ///   (`invalidGraph`: a DiffID or history count that is not the layer count), naming `context`.
    ///
    /// - Returns: `nil` for a config that leaves out `architecture`, `os` or `rootfs` altogether —
    ///   what oras and regclient write for images that are really artifacts: a copy carries it
    ///   as it is (verify reports it); a field that is there with the wrong type still throws.
    static func decode(_ bytes: [UInt8], layerCount: Int, context: String) throws -> ImageConfig? {
        if let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any],
            ["architecture", "os", "rootfs"].contains(where: { object[$0] == nil })
        {
            return nil
        }
        let config = try JSONDocument.decode(ImageConfig.self, from: bytes, context: context)
        guard config.rootfs.diffIDs.count == layerCount else {
            throw EngineError(.invalidGraph, "\(context): lists \(config.rootfs.diffIDs.count) diff_ids for \(layerCount) layers")
        }
        if let history = config.history {
            let layered = history.filter { $0.emptyLayer != true }.count
            guard layered == layerCount else {
                throw EngineError(.invalidGraph, "\(context): history has \(layered) entries that are not empty_layer for \(layerCount) layers")
            }
        }
        return config
    }
}
