import FerrySpec
import FerryStreams

/// What a destination can take, so the engine can plan conversions before moving a byte.
public struct DestinationCapabilities: Sendable, Hashable {
    /// Manifest and index media types it stores; `nil` means any.
    public var acceptedManifestTypes: Set<MediaType>?
    /// Layer compressions it stores; `nil` means any (blobs are carried verbatim).
    public var acceptedLayerCompressions: Set<LayerCompression>?
    /// Whether it can hold several top-level images.
    public var holdsSeveralImages: Bool
    /// Whether it keeps indexes (multi-platform images) as such.
    public var holdsIndexes: Bool
    /// Whether it can keep an index some of whose children it does not hold (a sparse index, as
    /// containerd exports write): an OCI layout can; a registry refuses such an index.
    public var holdsSparseIndexes: Bool
    /// Whether it is an OCI image layout (a directory or an archive): Docker manifests kept there
    /// verbatim are valid, but not every reader takes them (skopeo 1.9, umoci), so a copy says so.
    public var isOCIImageLayout: Bool
    /// The manifest format it is native to: what an image Ferry synthesised (from a docker-archive)
    /// or one it must convert is written as.
    public var preferredManifestFormat: ManifestFormat
    /// The layer compression it is native to: what synthesised images' layers get, and what layers
    /// it cannot take are converted to.
    public var preferredLayerCompression: LayerCompression

    public init(
        acceptedManifestTypes: Set<MediaType>? = nil, acceptedLayerCompressions: Set<LayerCompression>? = nil, holdsSeveralImages: Bool = true,
        holdsIndexes: Bool = true, preferredManifestFormat: ManifestFormat = .oci, preferredLayerCompression: LayerCompression = .gzip,
        holdsSparseIndexes: Bool = true, isOCIImageLayout: Bool = false
    ) {
        self.acceptedManifestTypes = acceptedManifestTypes
        self.acceptedLayerCompressions = acceptedLayerCompressions
        self.holdsSeveralImages = holdsSeveralImages
        self.holdsIndexes = holdsIndexes
        self.preferredManifestFormat = preferredManifestFormat
        self.preferredLayerCompression = preferredLayerCompression
        self.holdsSparseIndexes = holdsSparseIndexes
        self.isOCIImageLayout = isOCIImageLayout
    }

    /// OCI and Docker schema 2 manifests and indexes: what a destination that cannot hold Docker
    /// schema 1 accepts.
    public static let schema2Types: Set<MediaType> = [.ociManifest, .ociIndex, .dockerManifest, .dockerManifestList]

    /// Whether a manifest or index of this type can be stored as it is.
    public func accepts(_ mediaType: MediaType) -> Bool {
        guard let accepted = acceptedManifestTypes else { return true }
        return accepted.contains { $0.essence == mediaType.essence }
    }

    /// Whether a layer of this compression can be stored as it is.
    public func accepts(_ compression: LayerCompression) -> Bool {
        acceptedLayerCompressions?.contains(compression) ?? true
    }
}

/// A place images are written to.
///
/// The engine calls, in this order: ``hasBlob(_:)`` / ``putBlob(_:)`` for every blob
/// (in parallel), ``layerTranscoded(from:to:)`` for each layer it made from another blob,
/// ``putDocument(_:)`` for manifests and indexes children first,
/// ``addEntry(_:names:)`` for top-level entries, then ``commit()`` once. Nothing becomes visible
/// to a reader of the destination before `commit()` (for a layout: `index.json` is written last,
/// atomically); a blob appears under its digest name only after it was verified.
public protocol ImageDestination: Sendable {
    /// A name for messages, such as `oci:/srv/layouts/app`.
    var name: String { get }

    /// What this destination accepts.
    var capabilities: DestinationCapabilities { get }

    /// Whether the destination already holds this blob, verified (so the copy can skip it).
    func hasBlob(_ descriptor: Descriptor) async throws -> Bool

    /// Stores a blob from a stream that verifies itself (or, for a blob the engine is producing,
    /// computes its digest).
    ///
    /// The destination reads `blob` to its end (`nil`) before the blob becomes visible, under the
    /// digest the stream reports in ``VerifyingStream/result``; the stream throws before its end
    /// on any mismatch, so an unverified blob never lands.
    /// - Returns: the digest and size that landed.
    func putBlob(_ blob: sending VerifyingStream) async throws -> (digest: Digest, size: Int64)

    /// Stores a manifest or index (its exact bytes, already verified).
    func putDocument(_ document: RawDocument) async throws

    /// Records a top-level entry with its names (tags). Called after its document was stored.
    func addEntry(_ descriptor: Descriptor, names: [String]) async throws

    /// Makes everything visible. Called once, after every other call succeeded.
    func commit() async throws

    /// Removes a blob that ``putBlob(_:)`` stored during this copy but no image needs after all
    /// (one landed before the plan, from a source read once), so it does not stay behind. A blob
    /// the destination held before this copy is never removed. Called before ``commit()``.
    func discardBlob(_ digest: Digest) async throws

    /// Learns that the engine stored a layer it made from another blob (decompressed, and
    /// recompressed or not): `original` is the source's descriptor, `landed` the stored one.
    ///
    /// Called after the layer landed and before any manifest naming it is stored. Most
    /// destinations need nothing from it (the default does nothing); a docker-archive keeps a
    /// foreign layer's original descriptor, with its URLs, for `LayerSources`.
    func layerTranscoded(from original: Descriptor, to landed: Descriptor) async

    /// What a user should know about what was written that is not an error (an image written
    /// without a name, say), one sentence each; read after ``commit()``.
    var notes: [String] { get }

    /// What an earlier run, cut short, received of this blob and kept (an OCI layout keeps a
    /// partial download under a name of its own): a copy from a source that can start a blob at
    /// any byte (a registry) reads this prefix from disk and asks the source for the rest only.
    /// ``putBlob(_:)`` then compares those first bytes instead of writing them again. `nil` when
    /// nothing is kept (the default).
    func keptPrefix(of descriptor: Descriptor) -> KeptBlobPrefix?
}

/// The first bytes of a blob that a destination kept from an earlier run (a partial download):
/// unverified until the whole blob passes its digest check.
public struct KeptBlobPrefix: Sendable, Hashable {
    /// The file holding them.
    public var path: String
    /// How many bytes it holds.
    public var length: Int64

    public init(path: String, length: Int64) {
        self.path = path
        self.length = length
    }
}

extension ImageDestination {
    /// Nothing to say.
    public var notes: [String] { [] }

    /// Keeps the blob: the default for destinations where an unreferenced blob is harmless and
    /// cannot be taken back (a registry collects its own garbage).
    public func discardBlob(_ digest: Digest) async throws {}

    /// Nothing to keep.
    public func layerTranscoded(from original: Descriptor, to landed: Descriptor) async {}

    /// Nothing kept.
    public func keptPrefix(of descriptor: Descriptor) -> KeptBlobPrefix? { nil }
}
