import FerrySpec

/// What an item's `LayerSources` says about its layers that a user copying the archive should
/// hear of (``DockerArchiveSource/notes``).
///
/// A layer whose entry has a foreign (non-distributable) media type was, for `docker save`, a
/// layer to fetch from its URLs. Ferry's users often cannot fetch (air-gapped sites), and the
/// archive holds the layer's bytes anyway, so Ferry copies those bytes as it does for any layer:
/// the layer becomes an ordinary, distributable one (as containers/image does with
/// `DownloadForeignLayers`), and a note says so. Entries with ordinary layer types (Docker 25+
/// lists every layer) are not worth a note, and entries whose key is not one of the item's
/// DiffIDs are ignored, as `docker load` ignores them. An entry Ferry cannot read is mentioned
/// only when it names one of the item's layers.
struct DockerLayerSourceFinding: Sendable, Hashable {
    /// What was found.
    enum Kind: Sendable, Hashable {
        /// Layer `position` (base first) has a foreign descriptor; `keptForeign` when the manifest
        /// Ferry serves still gives the layer a foreign media type (an archive's stored manifest
        /// that says so), otherwise the layer is served as an ordinary one.
        case foreign(position: Int, diffID: Digest, source: Descriptor, keptForeign: Bool)
        /// Layer `position`'s entry is not a descriptor.
        case malformed(position: Int, diffID: Digest, reason: String)
        /// `LayerSources` as a whole is not a JSON object.
        case unreadable(reason: String)
    }

    /// The item's position in `manifest.json`.
    var item: Int
    /// The item's `RepoTags`.
    var names: [String]
    var kind: Kind

    /// The findings for one item.
    /// - Parameters:
    ///   - diffIDs: the item's DiffIDs, from its config.
    ///   - served: the layers of the stored manifest served for the item, or `nil` when its
    ///     manifest is synthesised (every layer then has an ordinary type).
    static func find(in item: DockerSaveManifest, at index: Int, diffIDs: [Digest], served: [Descriptor]?) -> [DockerLayerSourceFinding] {
        var found: [DockerLayerSourceFinding] = []
        if let reason = item.layerSources.unreadable, !diffIDs.isEmpty {
            found.append(.init(item: index, names: item.repoTags, kind: .unreadable(reason: reason)))
        }
        for (position, diffID) in diffIDs.enumerated() {
            switch item.layerSources.entry(for: diffID) {
            case .descriptor(let source)? where source.mediaType.isForeignLayer:
                let keptForeign = served.map { position < $0.count && $0[position].mediaType.isForeignLayer } ?? false
                found.append(
                    .init(item: index, names: item.repoTags, kind: .foreign(position: position, diffID: diffID, source: source, keptForeign: keptForeign)))
            case .malformed(let reason)?:
                found.append(.init(item: index, names: item.repoTags, kind: .malformed(position: position, diffID: diffID, reason: reason)))
            case .descriptor?, nil:
                break
            }
        }
        return found
    }

    /// Whether the archive holds every foreign layer a stored manifest names. Docker 25+ puts a
    /// foreign layer's registry descriptor (compressed digest, URLs) in its OCI manifest but
    /// stores the uncompressed bytes under the DiffID, so such a manifest names a blob the archive
    /// does not have; the item's manifest is then synthesised from its members instead.
    static func archiveHolds(_ manifest: ImageManifest, members: ArchiveMembers) -> Bool {
        manifest.layers.allSatisfy { !$0.mediaType.isForeignLayer || members.contains(DockerArchiveCatalog.layoutMember($0.digest)) }
    }

    /// One note per item and kind of finding, in `manifest.json` order, each starting with `source`.
    static func notes(_ findings: [DockerLayerSourceFinding], source: String) -> [String] {
        var notes: [String] = []
        for item in Set(findings.map(\.item)).sorted() {
            let mine = findings.filter { $0.item == item }
            let image = Self.image(item, names: mine.first?.names ?? [])
            var ordinary: [String] = []
            var kept: [String] = []
            for finding in mine {
                switch finding.kind {
                case .unreadable(let reason):
                    notes.append(
                        "\(source): \(image): LayerSources is ignored (\(reason)), so Ferry cannot tell whether any layer is foreign; the layers' bytes from the archive are copied"
                    )
                case .malformed(let position, let diffID, let reason):
                    notes.append(
                        "\(source): \(image): the LayerSources entry for layer \(position) (DiffID \(diffID)) is not a descriptor (\(reason)); it is ignored and the layer's bytes from the archive are copied"
                    )
                case .foreign(let position, let diffID, let descriptor, let keptForeign):
                    let urls = descriptor.urls ?? []
                    let described =
                        "layer \(position) (DiffID \(diffID); \(descriptor.mediaType) \(descriptor.digest.short), \(urls.isEmpty ? "no URLs" : "URLs " + urls.joined(separator: " ")))"
                    if keptForeign { kept.append(described) } else { ordinary.append(described) }
                }
            }
            if !ordinary.isEmpty {
                notes.append(
                    "\(source): \(image) has \(Self.count(ordinary.count)) that LayerSources marks foreign (to be fetched from URLs): \(ordinary.joined(separator: ", ")); the archive holds \(ordinary.count == 1 ? "its bytes, which are" : "their bytes, which are") copied as \(ordinary.count == 1 ? "an ordinary, distributable layer" : "ordinary, distributable layers"), and the URLs are not used"
                )
            }
            if !kept.isEmpty {
                notes.append(
                    "\(source): \(image) has \(Self.count(kept.count)) that LayerSources marks foreign (to be fetched from URLs): \(kept.joined(separator: ", ")); the archive holds \(kept.count == 1 ? "its bytes, which are" : "their bytes, which are") copied with the archive's own manifest, which still marks \(kept.count == 1 ? "it" : "them") non-distributable"
                )
            }
        }
        return notes
    }

    private static func image(_ item: Int, names: [String]) -> String {
        names.isEmpty ? "the untagged image at manifest.json item \(item)" : "image \(names.joined(separator: ", ")) (manifest.json item \(item))"
    }

    private static func count(_ n: Int) -> String { n == 1 ? "1 layer" : "\(n) layers" }
}
