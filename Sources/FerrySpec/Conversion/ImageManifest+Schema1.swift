/// Schema 2 / OCI → schema 1 (formats.md §6.4), as registries did it for old clients; the same
/// formulas as docker/distribution and containers/image, so ids and `v1Compatibility` strings match.
extension ImageManifest {
    /// The schema 1 manifest for this image.
    ///
    /// - Parameters:
    ///   - config: the config's exact bytes (its `history` drives the conversion).
    ///   - name: the repository name to record (may be empty).
    ///   - tag: the tag to record (may be empty).
    ///   - sha256: hashes bytes (FerrySpec does no hashing itself).
    /// - Returns: the manifest; its ``Schema1Manifest/fsLayers`` contain
    ///   ``Digest/gzippedEmptyLayer`` when the config has `empty_layer` history items, and that
    ///   blob must then be stored beside the layers.
    /// - Throws: ``SpecError`` when the config is not an image config with history, or history
    ///   lists more non-empty items than the manifest has layers.
    public func schema1(config: [UInt8], name: String, tag: String, sha256: ([UInt8]) -> Digest, context: String) throws(SpecError) -> Schema1Manifest {
        let parsed: ImageConfig = try JSONDocument.decode(ImageConfig.self, from: config, context: "\(context): config")
        let history = parsed.history ?? []
        guard !history.isEmpty else {
            throw SpecError(.unsupported, "\(context): the config has no history; schema 1 needs one history item per layer")
        }
        var fsLayers: [Digest] = []
        var entries: [String] = []
        var compat: [V1Compatibility] = []
        var parent = ""
        var id = ""
        var nextLayer = 0
        for item in history {
            parent = id
            let blob: Digest
            if item.emptyLayer == true {
                blob = .gzippedEmptyLayer
            } else {
                guard nextLayer < layers.count else {
                    throw SpecError(
                        .invalidDocument, "\(context): the config's history has more non-empty items than the \(layers.count) layers of the manifest")
                }
                blob = layers[nextLayer].digest
                nextLayer += 1
            }
            id = sha256(Array("\(blob.encoded) \(parent)".utf8)).encoded
            // Field order of containers/image's Schema1V1Compatibility as Go writes it.
            var text = Array("{\"id\":".utf8) + GoJSON.quoted(id)
            if !parent.isEmpty { text += Array(",\"parent\":".utf8) + GoJSON.quoted(parent) }
            if let comment = item.comment, !comment.isEmpty { text += Array(",\"comment\":".utf8) + GoJSON.quoted(comment) }
            text += Array(",\"created\":".utf8) + GoJSON.quoted(item.created ?? "0001-01-01T00:00:00Z")
            text += Array(",\"container_config\":{\"Cmd\":".utf8) + GoJSON.array([item.createdBy ?? ""]) + [UInt8(ascii: "}")]
            if let author = item.author, !author.isEmpty { text += Array(",\"author\":".utf8) + GoJSON.quoted(author) }
            if item.emptyLayer == true { text += Array(",\"throwaway\":true".utf8) }
            text.append(UInt8(ascii: "}"))
            fsLayers.insert(blob, at: 0)
            entries.insert(String(decoding: text, as: UTF8.self), at: 0)
            compat.insert(
                V1Compatibility(
                    id: id, parent: parent.isEmpty ? nil : parent, created: item.created, author: item.author, comment: item.comment,
                    throwaway: item.emptyLayer, containerConfig: .init(cmd: [item.createdBy ?? ""])), at: 0)
        }
        // The top entry carries the whole config (minus rootfs and history), with its own id.
        let topID = sha256(Array("\(fsLayers[0].encoded) \(parent) ".utf8) + config).encoded
        var top = try RawJSONObject(parsing: config, context: "\(context): config")
        top.remove("rootfs")
        top.remove("history")
        top.set("id", string: topID)
        if !parent.isEmpty { top.set("parent", string: parent) }
        if history.last?.emptyLayer == true { top.set("throwaway", raw: Array("true".utf8)) }
        entries[0] = String(decoding: top.encoded(), as: UTF8.self)
        compat[0].id = topID
        return Schema1Manifest(name: name, tag: tag, architecture: parsed.architecture, fsLayers: fsLayers, history: entries, v1Compatibility: compat)
    }
}

extension Schema1Manifest {
    /// The 32-byte gzip of an empty tar (1024 zero bytes) that docker and distribution use for
    /// every empty layer of a schema 1 image: digest ``Digest/gzippedEmptyLayer``, DiffID
    /// ``Digest/emptyLayerDiffID``.
    public static let gzippedEmptyLayerBytes: [UInt8] = [
        31, 139, 8, 0, 0, 9, 110, 136, 0, 255, 98, 24, 5, 163, 96, 20,
        140, 88, 0, 8, 0, 0, 255, 255, 46, 175, 181, 239, 0, 4, 0, 0,
    ]
}
