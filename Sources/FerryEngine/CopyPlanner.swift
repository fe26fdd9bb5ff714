import FerrySpec
import FerryStreams
import FerryTransports

/// Reads a source's manifest graph and decides, for each document and layer, what the copy does.
///
/// The rules, in order:
/// - **Bytes are sacred**: a document is kept verbatim unless the options ask for a conversion,
///   the destination cannot store its type, or the source synthesised it (a docker-archive's
///   manifest has no digest worth keeping, so it takes the destination's native format).
/// - **Layers** are copied verbatim unless `--compress` asks otherwise, the destination cannot
///   take their compression, or they are uncompressed layers of a synthesised image going to a
///   destination that prefers compressed layers (docker-archive → OCI gets gzip, as skopeo does).
/// - **Platforms**: with `platforms` given, an index keeps only the matching entries (one match
///   becomes the manifest alone); a destination that cannot hold indexes gets one platform, this
///   machine's by default.
struct CopyPlanner: Sendable {
    let source: any ImageSource
    let capabilities: DestinationCapabilities
    let options: CopyOptions

    private var reader: GraphReader { GraphReader(source: source) }

    func plan(_ entries: [SourceEntry]) async throws -> CopyPlan {
        var planned: [CopyPlan.Entry] = []
        var memo: [PlanKey: PlannedNode] = [:]
        for entry in entries {
            let root = try await node(entry.descriptor, synthesized: entry.isSynthesized, depth: 0, path: [], top: true, memo: &memo)
            planned.append(.init(names: entry.names, sourceDigest: entry.descriptor.digest, root: root))
        }
        let changes = planned.contains { Self.changes($0.root) }
        if changes && options.preserveDigests {
            throw EngineError(.unsupported, "--preserve-digests: the copy would change digests (\(Self.reasons(planned))); drop --preserve-digests or the option that asks for the change")
        }
        return CopyPlan(entries: planned, changesDigests: changes)
    }

    /// Why a plan changes digests, for messages: "layers are recompressed, …".
    static func reasons(_ entries: [CopyPlan.Entry]) -> String {
        var reasons = Set<String>()
        func walk(_ node: PlannedNode) {
            switch node {
            case .blob, .schema1: break
            case .manifest(let m):
                if m.format != nil { reasons.insert("the manifest is converted to \(m.format!.rawValue)") }
                if !m.layers.allSatisfy(\.isCopy) { reasons.insert("layers are recompressed") }
            case .index(let i):
                if i.filtered { reasons.insert("platforms are selected from an index") }
                if i.format != nil { reasons.insert("the index is converted to \(i.format!.rawValue)") }
                i.children.forEach { walk($0.node) }
            }
        }
        entries.forEach { walk($0.root) }
        return reasons.sorted().joined(separator: ", ")
    }

    static func changes(_ node: PlannedNode) -> Bool {
        switch node {
        case .blob, .schema1: return false
        case .manifest(let m): return !m.isVerbatim
        case .index(let i): return i.filtered || i.format != nil || i.children.contains { changes($0.node) }
        }
    }

    /// What makes two index entries the same plan: one document (digest and declared size), read
    /// as one media type, from a source of one kind. An index that names one manifest many times
    /// (a hostile one names it 20 000 times) costs one read and one plan.
    struct PlanKey: Hashable {
        let blob: BlobKey
        let mediaType: MediaType
        let synthesized: Bool
    }

    /// The plan of `descriptor`; below the top, each distinct document is read and planned once
    /// per copy (`memo`).
    private func node(_ descriptor: Descriptor, synthesized: Bool, depth: Int, path: [Digest], top: Bool, memo: inout [PlanKey: PlannedNode]) async throws -> PlannedNode {
        guard descriptor.mediaType.isManifestOrIndex else { return .blob(descriptor) }
        let key = PlanKey(blob: BlobKey(descriptor), mediaType: descriptor.mediaType, synthesized: synthesized)
        if !top, let known = memo[key] { return known }
        let planned = try await freshNode(descriptor, synthesized: synthesized, depth: depth, path: path, top: top, memo: &memo)
        if !top { memo[key] = planned }
        return planned
    }

    private func freshNode(_ descriptor: Descriptor, synthesized: Bool, depth: Int, path: [Digest], top: Bool, memo: inout [PlanKey: PlannedNode]) async throws -> PlannedNode {
        guard !path.contains(descriptor.digest) else {
            throw EngineError(.invalidGraph, "\(source.name): index \(descriptor.digest) contains itself (a cycle)")
        }
        guard depth < GraphReader.maximumDepth else {
            throw EngineError(.invalidGraph, "\(source.name): indexes nest deeper than \(GraphReader.maximumDepth) levels at \(descriptor.digest)")
        }
        let document = try await reader.verifiedDocument(descriptor)
        let context = "\(descriptor.mediaType.isIndex ? "index" : "manifest") \(descriptor.digest) in \(source.name)"
        switch try document.decode(context: context) {
        case .schema1:
            return .schema1(try planSchema1(descriptor, document, context: context))
        case .manifest(let manifest):
            return .manifest(try await planManifest(descriptor, document, manifest, synthesized: synthesized, context: context))
        case .index(let index):
            var chosen = index.manifests
            var filtered = false
            if top, let selection = try choosePlatforms(index, context: context) {
                chosen = selection
                filtered = selection.count != index.manifests.count
                if chosen.count == 1 && (!options.platforms.isEmpty || !capabilities.holdsIndexes) {
                    return try await node(chosen[0], synthesized: synthesized, depth: depth + 1, path: path + [descriptor.digest], top: false, memo: &memo)
                }
            }
            var children: [(entry: Descriptor, node: PlannedNode)] = []
            for child in chosen {
                children.append((child, try await node(child, synthesized: synthesized, depth: depth + 1, path: path + [descriptor.digest], top: false, memo: &memo)))
            }
            let format = documentFormat(descriptor.mediaType, synthesized: synthesized)
            return .index(PlannedIndex(descriptor: descriptor, original: document, decoded: index, children: children, filtered: filtered, format: format))
        }
    }

    /// The index entries to copy, or `nil` for all.
    private func choosePlatforms(_ index: ImageIndex, context: String) throws -> [Descriptor]? {
        let wanted = options.platforms.isEmpty && !capabilities.holdsIndexes ? [hostPlatform] : options.platforms
        guard !wanted.isEmpty else { return nil }
        var chosen: [Descriptor] = []
        for platform in wanted {
            guard let match = platform.bestMatch(in: index.manifests) else {
                let available = index.manifests.compactMap { $0.platform }.filter { !$0.isUnknown }.map(\.description)
                throw EngineError(.unsupported, "\(context): no image for platform \(platform) (the index has \(available.isEmpty ? "no platforms" : available.joined(separator: ", ")))\(options.platforms.isEmpty ? "; this destination holds one platform: choose one with --platform" : "")")
            }
            if !chosen.contains(match) { chosen.append(match) }
        }
        // Keep the index's own order.
        return index.manifests.filter { chosen.contains($0) }
    }

    private func documentFormat(_ mediaType: MediaType, synthesized: Bool) -> ManifestFormat? {
        let current = ManifestFormat(mediaType)
        let target: ManifestFormat?
        if let requested = options.format {
            target = requested
        } else if synthesized || !capabilities.accepts(mediaType) {
            target = capabilities.preferredManifestFormat
        } else {
            target = nil
        }
        return target == current && !synthesized ? nil : target
    }

    private func planManifest(_ descriptor: Descriptor, _ document: RawDocument, _ manifest: ImageManifest, synthesized: Bool, context: String) async throws -> PlannedManifest {
        let format = documentFormat(descriptor.mediaType, synthesized: synthesized)
        let family = format ?? ManifestFormat(descriptor.mediaType) ?? .oci
        var actions: [LayerAction] = []
        var diffIDs: [Digest]?
        for (position, layer) in manifest.layers.enumerated() {
            guard let current = layer.mediaType.layerCompression else {
                actions.append(.copy(layer))  // unknown or encrypted: carried as it is
                continue
            }
            if family == .v2s2, case .to(.zstd, _)? = options.compression {
                throw EngineError(.unsupported, "\(context): Docker schema 2 has no zstd layers; use --format oci or --compress gzip")
            }
            guard let target = transcodeTarget(current, synthesized: synthesized, family: family) else {
                actions.append(.copy(layer))
                continue
            }
            if diffIDs == nil { diffIDs = try await readDiffIDs(manifest, context: context) }
            let diffID = diffIDs.flatMap { position < $0.count ? $0[position] : nil }
            let mediaType = try family.layerMediaType(target, foreign: layer.mediaType.isForeignLayer)
            actions.append(.transcode(layer, to: target, level: level(for: target), diffID: diffID, mediaType: mediaType))
        }
        return PlannedManifest(descriptor: descriptor, original: document, decoded: manifest, config: manifest.config, layers: actions, format: format)
    }

    /// The compression a layer stored as `current` is transcoded to in a manifest of `family`, or
    /// `nil` when it is copied as it is.
    func transcodeTarget(_ current: LayerCompression, synthesized: Bool, family: ManifestFormat) -> LayerCompression? {
        var target = targetCompression(current, synthesized: synthesized)
        if family == .v2s2 && target == .zstd { target = .gzip }
        return target != current || forcedRecompression(current) ? target : nil
    }

    /// The format an image's manifest will most likely be written in, before its manifest is read:
    /// a synthesised one takes the destination's native format; a stored one (guessed OCI, as
    /// Docker 25+ and containerd write them) is kept where the destination accepts it.
    func likelyFamily(synthesized: Bool) -> ManifestFormat {
        if let requested = options.format { return requested }
        if synthesized || !capabilities.accepts(MediaType.ociManifest) { return capabilities.preferredManifestFormat }
        return .oci
    }

    private func targetCompression(_ current: LayerCompression, synthesized: Bool) -> LayerCompression {
        switch options.compression {
        case .to(let requested, _)?:
            return requested
        case .keep?:
            return capabilities.accepts(current) ? current : capabilities.preferredLayerCompression
        case nil:
            if !capabilities.accepts(current) { return capabilities.preferredLayerCompression }
            if synthesized && current == .none { return capabilities.preferredLayerCompression }
            return current
        }
    }

    /// An explicit level asks for recompression even when the compression stays the same.
    private func forcedRecompression(_ current: LayerCompression) -> Bool {
        if case .to(let requested, let level?)? = options.compression, requested == current, requested != .none { return level > 0 }
        return false
    }

    /// The level asked for a compression, or `nil` for its default.
    func level(for compression: LayerCompression) -> Int? {
        if case .to(let requested, let level)? = options.compression, requested == compression { return level }
        return nil
    }

    /// The config's DiffIDs, so each decompressed layer is checked against them; `nil` when the
    /// config is not an image config or does not list one per layer.
    private func readDiffIDs(_ manifest: ImageManifest, context: String) async throws -> [Digest]? {
        guard manifest.config.mediaType.isImageConfig else { return nil }
        let configContext = "config \(manifest.config.digest) in \(source.name)"
        let stream = try VerifyingStream(try await source.blob(manifest.config), expected: manifest.config, context: configContext)
        let bytes = try await stream.readAll(limit: DocumentLimits.maximumDocumentSize, context: configContext)
        let config = try JSONDocument.decode(ImageConfig.self, from: bytes, context: configContext)
        guard config.rootfs.diffIDs.count == manifest.layers.count else {
            throw EngineError(.invalidGraph, "\(configContext): lists \(config.rootfs.diffIDs.count) diff_ids for \(manifest.layers.count) layers")
        }
        return config.rootfs.diffIDs
    }
}
