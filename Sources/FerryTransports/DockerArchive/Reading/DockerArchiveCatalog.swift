import FerrySpec
import FerryStreams

/// What a `docker save` archive holds, worked out once when the source opens: one entry per
/// `manifest.json` item, the manifest bytes served for each, and which member holds each blob.
///
/// For each item the manifest is the archive's own OCI manifest when the archive is also an OCI
/// layout (Docker 25+, BuildKit, containerd) and `index.json` (or an index it lists) reaches a
/// manifest with the same config digest and layer count whose foreign layers the archive holds;
/// otherwise it is synthesised as skopeo's `docker-archive:` source does (``DockerManifestSynthesis``).
///
/// Cost: for an uncompressed archive, reads of the small members and of each layer's first
/// bytes, plus one hash of each *compressed* layer member of items without a stored manifest. For a
/// compressed archive the first pass (``ArchiveMembers``) already keeps small JSON members and
/// every member's first bytes, so a classic archive with plain layers opens in one pass of
/// decompression; each further step that is needed is one more pass (at most four in all). Holds only the
/// documents and a digest → member map in memory.
struct DockerArchiveCatalog: Sendable {
    /// One per `manifest.json` item, in its order.
    let entries: [SourceEntry]
    /// Synthesised manifests and the stored documents read while opening, by digest.
    let documents: [Digest: [UInt8]]
    /// The member holding each config and layer, by digest.
    let blobMembers: [Digest: String]
    /// `manifest.json` as read.
    let items: [DockerSaveManifest]
    /// Manifests a stored index names whose blobs are not in the archive (see
    /// ``StoredLayoutDocuments/absentManifests(topLevel:)``).
    let absentManifests: [Descriptor]
    /// What the items' `LayerSources` say about their layers (foreign layers, unreadable entries).
    let layerSourceFindings: [DockerLayerSourceFinding]

    /// The path of a blob in the OCI layout part of the archive.
    static func layoutMember(_ digest: Digest) -> String { OCILayout.blobPath(digest) }

    init(members: ArchiveMembers) throws {
        let name = members.name
        guard members.contains(DockerSaveManifest.fileName) else {
            let legacy =
                members.contains("repositories") ? " (this looks like the pre-Docker-1.10 format, which has only `repositories`; it is not supported)" : ""
            throw TransportError(.invalidInput, "\(name) is not a docker-archive: manifest.json is missing\(legacy)")
        }
        let manifestMember = try members.regularFile(DockerSaveManifest.fileName, role: "the archive")
        let items = try DockerSaveManifest.decode(
            try members.read(manifestMember.member, limit: DockerSaveManifest.sizeLimit), context: "\(name): manifest.json")

        // Which member each item's config and layers are, checked before anything is read.
        var configMembers: [String] = []
        var layerMembers: [[(member: String, size: Int64)]] = []
        for (i, item) in items.enumerated() {
            configMembers.append(try members.regularFile(item.config, role: "manifest.json item \(i), Config").member)
            layerMembers.append(
                try item.layers.enumerated().map { j, layer in
                    try members.regularFile(layer, role: "manifest.json item \(i), Layers[\(j)]")
                })
        }

        // First read: configs, the OCI layout's top-level documents, and each layer's first bytes.
        let stored = StoredLayoutDocuments(members: members)
        var small = Set(configMembers)
        small.formUnion(stored.topLevelMembers)
        var prefixes: [String: [UInt8]] = [:]
        var bytesByMember: [String: [UInt8]] = [:]
        let layerSet = Set(layerMembers.flatMap { $0.map(\.member) })
        for member in small { if let bytes = members.cached(member) { bytesByMember[member] = bytes } }
        for member in layerSet.union(small) { if let prefix = members.cachedPrefix(member) { prefixes[member] = prefix } }
        let unread = small.filter { bytesByMember[$0] == nil }.union(layerSet.filter { prefixes[$0] == nil })
        try members.scan(unread) { member, next in
            if small.contains(member) {
                let bytes = try ArchiveMembers.readAll(next, limit: DocumentLimits.maximumDocumentSize, context: "\(name): member \(member)")
                bytesByMember[member] = bytes
                prefixes[member] = Array(bytes.prefix(CompressionSniffer.prefixLength))
            } else {
                var prefix: [UInt8] = []
                while prefix.count < CompressionSniffer.prefixLength, let chunk = try next() { prefix += chunk }
                prefixes[member] = Array(prefix.prefix(CompressionSniffer.prefixLength))
            }
        }
        let manifestsByConfig = try stored.manifestsByConfig(topLevel: bytesByMember)
        absentManifests = stored.absentManifests(topLevel: bytesByMember)

        var documents: [Digest: [UInt8]] = [:]
        var blobMembers: [Digest: String] = [:]
        var plans: [DockerManifestSynthesis] = []
        var entries: [SourceEntry] = []
        var findings: [DockerLayerSourceFinding] = []
        for (i, item) in items.enumerated() {
            let configBytes = bytesByMember[configMembers[i]] ?? []
            let configDigest = try DigestHasher.digest(configBytes)
            blobMembers[configDigest] = configMembers[i]
            let context = "\(name): manifest.json item \(i) (config \(item.config))"
            let diffIDs = try DiffIDs.decode(configBytes, context: context)
            guard diffIDs.count == item.layers.count else {
                throw TransportError(.invalidInput, "\(context): \(item.layers.count) layers but \(diffIDs.count) diff_ids in the config; they must be equal")
            }
            let names = item.repoTags
            let aliases = names.flatMap(DockerArchiveNames.aliases(of:))
            if let match = manifestsByConfig[configDigest], match.manifest.layers.count == item.layers.count,
                DockerLayerSourceFinding.archiveHolds(match.manifest, members: members)
            {
                findings += DockerLayerSourceFinding.find(in: item, at: i, diffIDs: diffIDs, served: match.manifest.layers)
                for (j, layer) in match.manifest.layers.enumerated() {
                    let inLayout = Self.layoutMember(layer.digest)
                    blobMembers[layer.digest] = members.contains(inLayout) ? inLayout : layerMembers[i][j].member
                }
                entries.append(SourceEntry(descriptor: match.descriptor, names: names, aliases: aliases))
                continue
            }
            findings += DockerLayerSourceFinding.find(in: item, at: i, diffIDs: diffIDs, served: nil)
            var layers: [DockerManifestSynthesis.Layer] = []
            for (j, layer) in layerMembers[i].enumerated() {
                let format = CompressionSniffer.detect(prefixes[layer.member] ?? [])
                guard let compression = format.layerCompression else {
                    throw TransportError(
                        .unsupported,
                        "\(name): manifest.json item \(i), Layers[\(j)] (member \(layer.member)) is \(format.rawValue)-compressed; no image manifest can describe such a layer"
                    )
                }
                layers.append(.init(member: layer.member, size: layer.size, compression: compression, diffID: diffIDs[j]))
            }
            plans.append(
                DockerManifestSynthesis(
                    item: i, config: Descriptor(mediaType: .dockerConfig, digest: configDigest, size: Int64(configBytes.count)), layers: layers))
            // A placeholder until the manifest is synthesised below.
            entries.append(
                SourceEntry(
                    descriptor: Descriptor(mediaType: .dockerManifest, digest: configDigest, size: 0), names: names, aliases: aliases, isSynthesized: true))
        }

        // Second read, only when needed: hash compressed layer members (digests are over their
        // bytes) that a one-pass copy did not already read while the archive opened.
        var hashed = members.digests
        let toHash = Set(plans.flatMap { $0.layers.filter { $0.compression != .none }.map(\.member) }).filter { hashed[$0] == nil }
        try members.scan(toHash) { member, next in
            let hasher = try DigestHasher()
            while let chunk = try next() { hasher.update(chunk) }
            hashed[member] = hasher.finalize()
        }

        for plan in plans {
            let synthesised = try plan.manifest(hashes: hashed)
            documents[synthesised.descriptor.digest] = synthesised.bytes
            for layer in synthesised.layers { blobMembers[layer.digest] = layer.member }
            entries[plan.item].descriptor = synthesised.descriptor
        }
        self.entries = entries
        self.documents = documents
        self.blobMembers = blobMembers
        self.items = items
        self.layerSourceFindings = findings
    }
}
