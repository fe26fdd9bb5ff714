import FerrySpec

/// What a copy will do, decided before a byte moves: every document read and verified, and for
/// each one whether it is kept verbatim or rewritten, and for each layer whether it is copied or
/// transcoded.
struct CopyPlan: Sendable {
    struct Entry: Sendable {
        var names: [String]
        /// The source's full name for the entry (``FullImageName``), if it has one.
        var fullName: String? = nil
        var sourceDigest: Digest
        var root: PlannedNode
    }

    var entries: [Entry]
    /// Whether any document or blob will get a new digest.
    var changesDigests: Bool
    /// What the user should know that is not an error (index entries the source does not hold).
    var notes: [String] = []
}

/// A node of the planned graph.
indirect enum PlannedNode: Sendable {
    /// An image manifest.
    case manifest(PlannedManifest)
    /// An index, with the children chosen from it.
    case index(PlannedIndex)
    /// A blob an index points at that is not a manifest (an unknown artifact): carried verbatim.
    case blob(Descriptor)
    /// A Docker schema 1 manifest copied verbatim, with its layers.
    case schema1(PlannedSchema1)
}

struct PlannedManifest: Sendable {
    /// The descriptor the parent (or the source entry) gave it.
    var descriptor: Descriptor
    var original: RawDocument
    var decoded: ImageManifest
    /// The config: always copied verbatim.
    var config: Descriptor
    var layers: [LayerAction]
    /// The format to write it in, or `nil` to keep it as it is.
    var format: ManifestFormat?
    /// How a layer this plan copies is moved: its first bytes sniffed, so that a layer whose media
    /// type lies about its compression is corrected (``BlobJob/Kind/copyLayer(requested:level:family:diffID:)``);
    /// `nil` for an artifact, whose "layers" are carried as they are.
    var layerCheck: BlobJob.Kind? = nil
    /// The config's DiffIDs, one per layer, when it is an image config.
    var diffIDs: [Digest]? = nil

    var isVerbatim: Bool { format == nil && layers.allSatisfy(\.isCopy) }

    /// The blob job that moves a layer this plan copies.
    func copyJob(_ layer: Descriptor) -> BlobJob {
        guard case .copyLayer(let requested, let level, let family, _)? = layerCheck, layer.mediaType.layerCompression != nil else {
            return BlobJob(descriptor: layer, kind: .copy)
        }
        let position = decoded.layers.firstIndex { $0.digest == layer.digest }
        let diffID = position.flatMap { position in diffIDs.flatMap { position < $0.count ? $0[position] : nil } }
        return BlobJob(descriptor: layer, kind: .copyLayer(requested: requested, level: level, family: family, diffID: diffID))
    }
}

struct PlannedIndex: Sendable {
    var descriptor: Descriptor
    var original: RawDocument
    var decoded: ImageIndex
    /// The chosen children with the index entry that points at each.
    var children: [(entry: Descriptor, node: PlannedNode)]
    /// Entries the source does not hold (a sparse index): kept in the index when it is copied
    /// verbatim, left out when it is rewritten.
    var absent: [Descriptor] = []
    /// Whether children were left out (platform selection).
    var filtered: Bool
    var format: ManifestFormat?
}

/// What happens to one layer.
enum LayerAction: Sendable {
    case copy(Descriptor)
    /// Decompress (checking the DiffID when known) and compress to `compression`, giving the
    /// layer `mediaType`.
    case transcode(Descriptor, to: LayerCompression, level: Int?, diffID: Digest?, mediaType: MediaType)

    var source: Descriptor {
        switch self {
        case .copy(let d): return d
        case .transcode(let d, _, _, _, _): return d
        }
    }

    var isCopy: Bool {
        if case .copy = self { return true }
        return false
    }
}

/// One unit of blob work, de-duplicated across the plan.
struct BlobJob: Hashable, Sendable {
    enum Kind: Hashable, Sendable {
        case copy
        /// Copy an image layer, sniffing its first bytes: when its media type names another
        /// compression than its content has, the content is brought to `requested` (`--compress`)
        /// or, without one, kept and the media type corrected (in `family`'s types).
        /// `diffID` is the config's DiffID for the layer: content found uncompressed must hash to it.
        case copyLayer(requested: LayerCompression?, level: Int?, family: ManifestFormat, diffID: Digest?)
        case transcode(LayerCompression, level: Int?, diffID: Digest?, mediaType: MediaType)
    }

    var descriptor: Descriptor
    var kind: Kind

    static func == (a: BlobJob, b: BlobJob) -> Bool {
        BlobKey(a.descriptor) == BlobKey(b.descriptor) && a.kind == b.kind
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(BlobKey(descriptor))
        hasher.combine(kind)
    }
}
