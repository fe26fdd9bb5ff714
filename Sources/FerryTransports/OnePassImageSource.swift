import FerrySpec
import FerryStreams

/// A source a copy should read once, front to back, before it knows what the source holds — a
/// compressed `docker save` archive, whose `manifest.json` comes after the layers, so planning
/// first would mean decompressing the whole archive twice.
///
/// The engine calls ``readOnce(offering:)`` before anything else. The source keeps its small
/// members (`manifest.json`, configs, manifests) in memory and offers every member that may be a
/// layer to the engine as it passes, which lands it in the destination in the form the copy will
/// most likely need; the plan made afterwards uses what landed, and the engine verifies each
/// landed blob against the plan (digest, size, DiffID) as it would a blob it had just read.
public protocol OnePassImageSource: ImageSource {
    /// Whether the source has not been read yet and a copy should read it with
    /// ``readOnce(offering:)``.
    var awaitsOnePass: Bool { get }

    /// Reads the whole source once.
    ///
    /// Each regular member that may be a blob is offered to `land` with a stream of its bytes
    /// that is valid only during the call. `land` returns the digest of the member's bytes when it
    /// read them to the end, or `nil` when it left them (the source then skips the rest). After
    /// this returns, ``ImageSource/entries()`` and the other methods answer from what the pass
    /// kept; a blob that was neither kept nor landed is read from the source again.
    /// - Throws: the source's errors (a corrupt archive, names that do not resolve, …) and any
    ///   error from `land`, which ends the pass.
    func readOnce(offering land: (BlobOffer, sending any ByteStream) async throws -> Digest?) async throws

    /// The member holding a blob (its ``BlobOffer/member``), once the pass is over: lets the copy
    /// tell a blob that never passed from one whose bytes passed with another digest.
    func member(holding blob: Descriptor) -> String?
}

/// A member of a source being read once (``OnePassImageSource``), offered to the copy before the
/// source knows what the member is.
public struct BlobOffer: Sendable, Hashable {
    /// The member's name in the archive (normalised), for messages and progress.
    public var member: String
    /// Its size in bytes.
    public var size: Int64
    /// How it is compressed, from its first bytes (`.none` for a plain tar).
    public var format: CompressionFormat
    /// The digest its name gives (`blobs/sha256/<hex>` in an OCI layout), when it has one; the
    /// bytes are still verified against it.
    public var namedDigest: Digest?

    public init(member: String, size: Int64, format: CompressionFormat, namedDigest: Digest?) {
        self.member = member
        self.size = size
        self.format = format
        self.namedDigest = namedDigest
    }
}
