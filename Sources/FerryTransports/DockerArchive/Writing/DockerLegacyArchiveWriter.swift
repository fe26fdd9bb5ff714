import FerrySpec
import FerryStreams

/// Lays out staged images as a legacy `docker save` archive (formats.md §5.2), in a fixed order:
///
/// ```
/// <config hex>.json          each config once, before the layers of its image
/// <DiffID hex>/VERSION       `1.0`, as docker save writes it
/// <DiffID hex>/json          the legacy v1 layer JSON: id, parent, created (the top layer: the config's fields too)
/// <DiffID hex>/layer.tar     each distinct layer once (a repeated layer repeats the path in manifest.json)
/// manifest.json              [{"Config","Layers","RepoTags"}], plus "LayerSources" for foreign layers — written after every blob
/// repositories               {"<familiar repo>":{"<tag>":"<top layer id>"}} — last, only when something is tagged
/// ```
///
/// The layer directory is named by the layer's DiffID, so identical layers share one member and
/// the name is a pure function of the content; `docker load` never checks how these v1 IDs were
/// derived. The legacy per-layer `<id>/json` and `<id>/VERSION` files are written as docker save
/// writes them, for tools that read only those and `repositories` (such as `undocker`): each
/// `json` names its layer's `parent`, and the top layer's carries the image config's fields. A
/// layer directory is written once, so a layer two images share keeps the first image's `json`
/// (``LegacyLayerJSON``).
///
/// `RepoTags` are the names given, in familiar form (`ferry/hello:1.0`); a name that is not a
/// tagged docker reference (an OCI layout's bare `1.0`) is left out, and a name given to several
/// images belongs to the last. A foreign layer's item gets a `LayerSources` entry for its DiffID
/// (``DockerForeignLayerSources``).
struct DockerLegacyArchiveWriter {
    /// The staged file of a blob.
    let blobs: @Sendable (Digest) -> String
    /// The destination's name, for messages.
    let name: String
    /// Where the foreign layers came from.
    var foreign = DockerForeignLayerSources()

    /// Writes every member of the archive; the caller finishes the tar.
    func write(_ images: [(manifest: ImageManifest, names: [String])], to tar: TarWriter) async throws {
        var items: [DockerSaveManifest] = []
        var tagged: [(reference: Reference, item: Int)] = []
        var topLayers: [String?] = []
        var written = Set<String>()
        for (i, image) in images.enumerated() {
            let configMember = image.manifest.config.digest.encoded + ".json"
            let configBytes = try FileSystem.readFile(blobs(image.manifest.config.digest), limit: DocumentLimits.maximumDocumentSize)
            try checkLayers(image.manifest, configBytes: configBytes)
            if written.insert(configMember).inserted { try tar.addFile(configMember, bytes: configBytes) }
            var layerMembers: [String] = []
            for layer in image.manifest.layers {
                let member = layer.digest.encoded + "/layer.tar"
                if written.insert(member).inserted {
                    let file = blobs(layer.digest)
                    guard let size = FileSystem.size(of: file) else {
                        throw TransportError(.notFound, "\(name): layer \(layer.digest) was never stored")
                    }
                    let id = layer.digest.encoded
                    let isTop = layer == image.manifest.layers.last
                    try tar.addDirectory(id)
                    try tar.addFile(id + "/VERSION", bytes: Array("1.0".utf8))
                    try tar.addFile(
                        id + "/json",
                        bytes: LegacyLayerJSON.bytes(
                            id: id, parent: layerMembers.last.map { String($0.prefix { $0 != "/" }) },
                            config: configBytes, isTop: isTop))
                    try await tar.addFile(member, size: size, copyingFile: file)
                }
                layerMembers.append(member)
            }
            topLayers.append(image.manifest.layers.last?.digest.encoded)
            items.append(
                DockerSaveManifest(
                    config: configMember, repoTags: [], layers: layerMembers,
                    layerSources: foreign.entries(for: image.manifest)))
            for reference in image.names.compactMap(DockerArchiveNames.repoTag(for:)) {
                let familiar = reference.familiarString
                tagged.removeAll { $0.reference.familiarString == familiar }
                tagged.append((reference, i))
            }
        }
        var repositories: [String: [String: String]] = [:]
        for (reference, item) in tagged {
            items[item].repoTags.append(reference.familiarString)
            if let top = topLayers[item], let tag = reference.tag {
                repositories[reference.familiarName, default: [:]][tag] = top
            }
        }
        try tar.addFile(DockerSaveManifest.fileName, bytes: try JSONDocument.encode(items))
        if !repositories.isEmpty {
            try tar.addFile("repositories", bytes: try JSONDocument.encode(repositories))
        }
    }

    /// `docker load` checks each plain layer against its DiffID: refuse what it would refuse.
    func checkLayers(_ manifest: ImageManifest, configBytes: [UInt8]) throws {
        let context = "\(name): config \(manifest.config.digest)"
        let diffIDs = try DiffIDs.decode(configBytes, context: context)
        guard diffIDs.count == manifest.layers.count else {
            throw TransportError(
                .invalidInput, "\(context) lists \(diffIDs.count) diff_ids for \(manifest.layers.count) layers; docker load would refuse the image")
        }
        for (layer, diffID) in zip(manifest.layers, diffIDs) where layer.digest != diffID {
            throw TransportError(
                .invalidInput, "\(name): layer \(layer.digest) is not the uncompressed layer \(diffID) the config lists; docker load would refuse the image")
        }
    }
}
