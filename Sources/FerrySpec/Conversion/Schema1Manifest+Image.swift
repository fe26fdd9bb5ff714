/// Schema 1 → schema 2 / OCI (formats.md §6.3): pure parts. The caller reads the layers to learn
/// their sizes, compression and DiffIDs, then asks for the config and the manifest.
extension Schema1Manifest {
    /// The layer digests an image manifest lists, base first: every entry that is not `throwaway`.
    public var imageLayers: [Digest] {
        zip(fsLayers, v1Compatibility).reversed().filter { !$0.1.isThrowaway }.map(\.0)
    }

    /// The image config: `history[0]`'s object minus `id`, `parent`, `parent_id`, `layer_id`,
    /// `throwaway`, `Size`, plus `rootfs` (`diffIDs`) and `history` (one item per entry, base
    /// first, `empty_layer` for throwaway ones). Keys sorted, compact: containers/image's bytes.
    ///
    /// - Parameter diffIDs: one per ``imageLayers`` entry, same order.
    /// - Throws: ``SpecError`` (`invalidDocument`) when `history[0]` is not a JSON object or the
    ///   DiffID count is wrong.
    public func imageConfig(diffIDs: [Digest], context: String) throws(SpecError) -> [UInt8] {
        guard diffIDs.count == imageLayers.count else {
            throw SpecError(.invalidDocument, "\(context): \(diffIDs.count) DiffIDs for \(imageLayers.count) non-empty layers")
        }
        var config = try RawJSONObject(parsing: Array(history[0].utf8), context: "\(context): history[0].v1Compatibility")
        for key in ["id", "parent", "parent_id", "layer_id", "throwaway", "Size"] { config.remove(key) }
        config.set("rootfs", raw: Array("{\"type\":\"layers\",\"diff_ids\":".utf8) + GoJSON.array(diffIDs.map(\.description)) + [UInt8(ascii: "}")])
        var items: [[UInt8]] = []
        for entry in v1Compatibility.reversed() {
            // Field order and omissions of image-spec's History as Go writes it.
            var item = Array("{\"created\":".utf8) + GoJSON.quoted(entry.created ?? "0001-01-01T00:00:00Z")
            let createdBy = entry.containerConfig?.cmd?.joined(separator: " ") ?? ""
            if !createdBy.isEmpty { item += Array(",\"created_by\":".utf8) + GoJSON.quoted(createdBy) }
            if let author = entry.author, !author.isEmpty { item += Array(",\"author\":".utf8) + GoJSON.quoted(author) }
            if let comment = entry.comment, !comment.isEmpty { item += Array(",\"comment\":".utf8) + GoJSON.quoted(comment) }
            if entry.isThrowaway { item += Array(",\"empty_layer\":true".utf8) }
            items.append(item + [UInt8(ascii: "}")])
        }
        config.set("history", raw: [UInt8(ascii: "[")] + Array(items.joined(separator: [UInt8(ascii: ",")])) + [UInt8(ascii: "]")])
        return config.encoded()
    }

    /// The image manifest in `format` for a config and the layer descriptors (base first, as
    /// ``imageLayers``, with sizes and media types the caller learned).
    public func imageManifest(format: ManifestFormat, config: Descriptor, layers: [Descriptor]) -> ImageManifest {
        var configDescriptor = config
        configDescriptor.mediaType = format.configMediaType
        return ImageManifest(mediaType: format.manifestMediaType, config: configDescriptor, layers: layers)
    }
}
