import FerrySigning
import FerrySpec
import FerryStreams

/// What a copy reports while it runs.
public enum CopyEvent: Sendable {
    /// The plan is ready: this many blobs and bytes to consider.
    case planned(blobs: Int, bytes: Int64)
    /// A blob started moving.
    case blobStarted(Descriptor)
    /// Bytes of a blob moved (the count since the last event for that blob, as read from the source).
    case blobProgress(Digest, bytes: Int64)
    /// A blob finished (the source descriptor); `skipped` when the destination already had it.
    case blobFinished(Descriptor, skipped: Bool)
    /// A member of a source read once (``OnePassImageSource``) started landing, before the plan:
    /// its name in the source and its size.
    case memberStarted(String, size: Int64)
    /// Bytes of such a member moved.
    case memberProgress(String, bytes: Int64)
    /// Such a member finished landing.
    case memberFinished(String)
    /// One top-level entry of the plan (sent after ``planned(blobs:bytes:)``, once per entry, in
    /// order): its digest in the source, the names it will get, and the blobs and bytes it needs
    /// (a blob two entries share counts in both).
    case imagePlanned(sourceDigest: Digest, names: [String], blobs: Int, bytes: Int64)
}

/// What a copy did.
public struct CopyReport: Sendable {
    /// One copied top-level entry.
    public struct Entry: Sendable {
        /// Its descriptor at the destination (a new digest when the copy converted it).
        public var descriptor: Descriptor
        /// The names it was given.
        public var names: [String]
        /// Its digest in the source.
        public var sourceDigest: Digest
        /// What moving its blobs took. A blob two entries share counts in both entries' tallies
        /// (and once in the report's totals).
        public var blobs = BlobTally()
    }

    /// Blobs and bytes moved and skipped, for one entry.
    public struct BlobTally: Sendable, Equatable {
        /// Blobs written.
        public var copied = 0
        /// Bytes of blobs written (their size at the destination).
        public var bytesCopied: Int64 = 0
        /// Blobs the destination already had.
        public var skipped = 0
        /// Bytes of blobs the destination already had.
        public var bytesSkipped: Int64 = 0

        public init() {}
    }

    /// One referrer copied with ``CopyOptions/includeReferrers``.
    public struct CopiedReferrer: Sendable {
        /// The digest of the manifest it refers to (unchanged by the copy).
        public var subject: Digest
        /// The referrer, as a referrers list describes it (`artifactType`, digest, size).
        public var descriptor: Descriptor
    }

    /// The copied entries.
    public var entries: [Entry] = []
    /// The referrers copied after the entries, parents before their own referrers.
    public var referrers: [CopiedReferrer] = []
    /// Blobs written.
    public var blobsCopied = 0
    /// Blobs the destination already had.
    public var blobsSkipped = 0
    /// Layers decompressed and recompressed on the way.
    public var layersTranscoded = 0
    /// Bytes of blobs written.
    public var bytesCopied: Int64 = 0
    /// Bytes of blobs the destination already had.
    public var bytesSkipped: Int64 = 0
    /// Documents written.
    public var documentsWritten = 0
    /// Every digest that changed: source digest → destination digest (layers, configs' manifests,
    /// manifests, indexes), so pinned references can be rewritten.
    public var digestMap: [Digest: Digest] = [:]
    /// What the source says a user should know that is not an error (``ImageSource/notes``),
    /// such as platforms an archive names but does not hold.
    public var notes: [String] = []
    /// What checking the signatures of each converted Docker schema 1 manifest found, by its digest.
    public var schema1Signatures: [Digest: Schema1SignatureStatus] = [:]
}
