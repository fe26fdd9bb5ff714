import FerrySpec
import FerryStreams
import FerryTransports

/// Reads a source's manifest graph and decides, for each document and layer, what the copy does.
///
/// The rules, in order:
/// - **Bytes are sacred**: a document is kept verbatim unless the options ask for a conversion,
///   the destination cannot store its type, or the source synthesised it (a docker-archive's
///   manifest has no digest worth keeping: it is re-encoded, keeping its Docker schema 2 type in
///   a registry or `dir:`, as skopeo does, and in the native format of an OCI layout).
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
        var memo = PlanMemo()
        for entry in entries {
            let root = try await node(entry.descriptor, synthesized: entry.isSynthesized, depth: 0, path: [], top: true, memo: &memo)
            planned.append(
                .init(names: entry.names, fullName: FullImageName.first(in: entry.names + entry.aliases), sourceDigest: entry.descriptor.digest, root: root))
        }
        let changes = planned.contains { Self.changes($0.root) }
        if changes && options.preserveDigests {
            throw EngineError(
                .unsupported,
                "--preserve-digests: the copy would change digests (\(Self.reasons(planned))); drop --preserve-digests or the option that asks for the change")
        }
        return CopyPlan(entries: planned, changesDigests: changes, notes: memo.notes)
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

    /// What planning remembers across one copy: each distinct document's plan, and the notes for
    /// the user (index entries the source does not hold, a platform taken instead of this machine's).
    struct PlanMemo {
        var nodes: [PlanKey: PlannedNode] = [:]
        var notes: [String] = []

        mutating func note(_ note: String) {
            if !notes.contains(note) { notes.append(note) }
        }
    }

    /// The plan of `descriptor`; below the top, each distinct document is read and planned once
    /// per copy (`memo`).
    private func node(_ descriptor: Descriptor, synthesized: Bool, depth: Int, path: [Digest], top: Bool, memo: inout PlanMemo) async throws -> PlannedNode {
        guard descriptor.mediaType.isManifestOrIndex else { return .blob(descriptor) }
        let key = PlanKey(blob: BlobKey(descriptor), mediaType: descriptor.mediaType, synthesized: synthesized)
        if !top, let known = memo.nodes[key] { return known }
        let planned = try await freshNode(descriptor, synthesized: synthesized, depth: depth, path: path, top: top, memo: &memo)
        if !top { memo.nodes[key] = planned }
        return planned
    }

    /// The plan of an index entry, or `nil` when the source does not hold its document (a sparse
    /// index). Something absent further down is still an error.
    private func presentNode(_ child: Descriptor, synthesized: Bool, depth: Int, path: [Digest], memo: inout PlanMemo) async throws -> PlannedNode? {
        do {
            return try await node(child, synthesized: synthesized, depth: depth, path: path, top: false, memo: &memo)
        } catch  where child.mediaType.isManifestOrIndex && SparseIndex.isAbsent(error) {
            if await holds(child) { throw error }
            return nil
        }
    }

    /// Whether the source holds a document (an error other than "not there" counts as held, so
    /// that it is reported as it is).
    private func holds(_ descriptor: Descriptor) async -> Bool {
        do {
            _ = try await source.document(descriptor)
            return true
        } catch {
            return !SparseIndex.isAbsent(error)
        }
    }

    private func freshNode(_ descriptor: Descriptor, synthesized: Bool, depth: Int, path: [Digest], top: Bool, memo: inout PlanMemo) async throws -> PlannedNode
    {
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
            let planned = try await planManifest(descriptor, document, manifest, synthesized: synthesized, context: context)
            if planned.format == nil { noteDockerKeptInLayout(descriptor.mediaType, memo: &memo) }
            return .manifest(planned)
        case .index(let index):
            let inner = path + [descriptor.digest]
            var absent: [Descriptor] = []
            var children: [(entry: Descriptor, node: PlannedNode)] = []
            var filtered = false
            if top, let wanted = wantedPlatforms {
                children = try await chooseChildren(
                    index, wanted: wanted, synthesized: synthesized, depth: depth + 1, path: inner, context: context, absent: &absent, memo: &memo)
                filtered = children.count + absent.count != index.manifests.count
                if children.count == 1 && (!options.platforms.isEmpty || !capabilities.holdsIndexes) {
                    return children[0].node
                }
            } else {
                for child in index.manifests {
                    if let planned = try await presentNode(child, synthesized: synthesized, depth: depth + 1, path: inner, memo: &memo) {
                        children.append((child, planned))
                    } else {
                        absent.append(child)
                    }
                }
            }
            let format = documentFormat(descriptor.mediaType, synthesized: synthesized)
            if format == nil { noteDockerKeptInLayout(descriptor.mediaType, memo: &memo) }
            if !absent.isEmpty {
                if format == nil && !filtered && !capabilities.holdsSparseIndexes {
                    let held = SparseIndex.platforms(children.map(\.entry))
                    throw EngineError(
                        .unsupported,
                        "\(context) names \(absent.count) manifest\(absent.count == 1 ? "" : "s") that the source does not hold: \(SparseIndex.describe(absent)); the destination cannot hold an index whose manifests are missing, and nothing was written. Copy the platforms it holds with \(held.isEmpty ? "--platform" : held.map { "--platform \($0)" }.joined(separator: " "))"
                    )
                }
                memo.note(SparseIndex.note(source: source.name, absent: absent))
            }
            return .index(
                PlannedIndex(descriptor: descriptor, original: document, decoded: index, children: children, absent: absent, filtered: filtered, format: format)
            )
        }
    }

    /// A Docker schema 2 manifest or list kept verbatim in an OCI layout keeps its digest (right
    /// for mirroring) but is not read by every tool: say so once, naming `--format oci`.
    private func noteDockerKeptInLayout(_ mediaType: MediaType, memo: inout PlanMemo) {
        guard capabilities.isOCIImageLayout, mediaType.isDocker, !mediaType.isSchema1 else { return }
        memo.note(
            "\(source.name): Docker schema 2 manifests (and manifest lists) are kept as they are in the OCI layout (digests kept, as a mirror needs); skopeo 1.9 and umoci cannot read Docker manifests there: copy with --format oci to convert them"
        )
    }

    /// The platforms to take from a top-level index, or `nil` for all of them.
    private var wantedPlatforms: [Platform]? {
        let wanted = options.platforms.isEmpty && !capabilities.holdsIndexes ? [Platform.host] : options.platforms
        return wanted.isEmpty ? nil : wanted
    }

    /// Plans the index entries matching `wanted`, in the index's own order. An entry the source
    /// does not hold is skipped (recorded in `absent`) and the next best match is tried. When this
    /// machine's platform was asked for implicitly and is not held, the one platform the source
    /// holds is taken instead, with a note.
    private func chooseChildren(
        _ index: ImageIndex, wanted: [Platform], synthesized: Bool, depth: Int, path: [Digest], context: String, absent: inout [Descriptor],
        memo: inout PlanMemo
    ) async throws -> [(entry: Descriptor, node: PlannedNode)] {
        var candidates = index.manifests
        var picked: [(entry: Descriptor, node: PlannedNode)] = []
        for platform in wanted {
            var found: (entry: Descriptor, node: PlannedNode)?
            while found == nil, let match = platform.bestMatch(in: candidates) {
                if let earlier = picked.first(where: { $0.entry == match }) {
                    found = earlier
                } else if let planned = try await presentNode(match, synthesized: synthesized, depth: depth, path: path, memo: &memo) {
                    found = (match, planned)
                } else {
                    absent.append(match)
                    candidates.removeAll { $0 == match }
                }
            }
            if found == nil {
                // What is held, to say so (and, for an implicit choice, to take the only one).
                var held: [(entry: Descriptor, node: PlannedNode)] = []
                let runnable = candidates.filter { ($0.platform.map { !$0.isUnknown } ?? false) && !$0.isAttestationManifest }
                for next in runnable {
                    candidates.removeAll { $0 == next }
                    if let planned = try await presentNode(next, synthesized: synthesized, depth: depth, path: path, memo: &memo) {
                        held.append((next, planned))
                    } else {
                        absent.append(next)
                    }
                }
                let heldNames = SparseIndex.platforms(held.map(\.entry))
                if options.platforms.isEmpty && !absent.isEmpty && held.count == 1 {
                    memo.note(
                        "\(source.name): this machine's platform \(platform) is not held; copying the one platform the source holds, \(heldNames.first ?? held[0].entry.digest.short)"
                    )
                    found = held[0]
                } else {
                    let named = SparseIndex.platforms(index.manifests.filter { $0.platform.map { !$0.isUnknown } ?? false })
                    let has =
                        absent.isEmpty
                        ? "the index has \(named.isEmpty ? "no platforms" : named.joined(separator: ", "))"
                        : "the source holds \(heldNames.isEmpty ? "none of the index's platforms" : heldNames.joined(separator: ", ")); the index also names \(SparseIndex.describe(absent)), which it does not hold"
                    throw EngineError(
                        .unsupported,
                        "\(context): no image for platform \(platform) (\(has))\(options.platforms.isEmpty ? "; this destination holds one platform: choose one with --platform" : "")"
                    )
                }
            }
            if let found, !picked.contains(where: { $0.entry == found.entry }) { picked.append(found) }
        }
        // Keep the index's own order.
        return index.manifests.compactMap { entry in picked.first { $0.entry == entry } }
    }

    /// The document rule (``CopyRules``) of this copy.
    private var rules: CopyRules { CopyRules(options: options, capabilities: capabilities) }

    private func documentFormat(_ mediaType: MediaType, synthesized: Bool) -> ManifestFormat? {
        rules.documentFormat(mediaType, synthesized: synthesized)
    }

    private func planManifest(
        _ descriptor: Descriptor, _ document: RawDocument, _ manifest: ImageManifest, synthesized: Bool, context: String
    ) async throws -> PlannedManifest {
        let format = documentFormat(descriptor.mediaType, synthesized: synthesized)
        let family = format ?? ManifestFormat(descriptor.mediaType) ?? .oci
        var actions: [LayerAction] = []
        var diffIDs: [Digest]?
        // An artifact's "layers" are files that only look like layers (oras labels them
        // …image.layer.v1.tar): carried as they are, never decompressed or recompressed.
        let isArtifact = manifest.artifactType != nil || !manifest.config.mediaType.isImageConfig
        // Every image's config is read as verify reads it (ImageConfigReading), whether or not a
        // layer needs its DiffIDs: a copy refuses what verify reports, and the reverse.
        if !isArtifact { diffIDs = try await readDiffIDs(manifest, context: context) }
        for (position, layer) in manifest.layers.enumerated() {
            guard !isArtifact, let current = layer.mediaType.layerCompression else {
                actions.append(.copy(layer))  // unknown, encrypted or an artifact's: carried as it is
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
        var requested: (LayerCompression, Int?)?
        if case .to(let compression, let level)? = options.compression { requested = (compression, level) }
        let check = isArtifact ? nil : BlobJob.Kind.copyLayer(requested: requested?.0, level: requested?.1, family: family, diffID: nil)
        return PlannedManifest(
            descriptor: descriptor, original: document, decoded: manifest, config: manifest.config, layers: actions, format: format, layerCheck: check,
            diffIDs: diffIDs)
    }

    /// The compression a layer stored as `current` is transcoded to in a manifest of `family`, or
    /// `nil` when it is copied as it is (``CopyRules/transcodeTarget(_:synthesized:family:)``).
    func transcodeTarget(_ current: LayerCompression, synthesized: Bool, family: ManifestFormat) -> LayerCompression? {
        rules.transcodeTarget(current, synthesized: synthesized, family: family)
    }

    /// The format an image's manifest will most likely be written in, before its manifest is read
    /// (``CopyRules/likelyFamily(synthesized:)``).
    func likelyFamily(synthesized: Bool) -> ManifestFormat {
        rules.likelyFamily(synthesized: synthesized)
    }

    /// The level asked for a compression, or `nil` for its default (``CopyRules/level(for:)``).
    func level(for compression: LayerCompression) -> Int? {
        rules.level(for: compression)
    }

    /// The config's DiffIDs, so each decompressed layer is checked against them; `nil` when the
    /// config is not an image config or does not list one per layer.
    private func readDiffIDs(_ manifest: ImageManifest, context: String) async throws -> [Digest]? {
        guard manifest.config.mediaType.isImageConfig else { return nil }
        let configContext = "config \(manifest.config.digest) in \(source.name)"
        let stream = try VerifyingStream(try await source.blob(manifest.config), expected: manifest.config, context: configContext)
        let bytes = try await stream.readAll(limit: DocumentLimits.maximumDocumentSize, context: configContext)
        return try ImageConfigReading.decode(bytes, layerCount: manifest.layers.count, context: configContext)?.rootfs.diffIDs
    }
}
