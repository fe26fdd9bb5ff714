import FerrySpec
import FerryStreams

/// What to do with layer compression during a copy.
public enum CompressionChoice: Sendable, Hashable, CustomStringConvertible {
    /// Leave every layer as it is (bytes untouched), unless the destination cannot take it.
    case keep
    /// (Re)compress every layer to this compression; `level` `nil` means the format's default.
    case to(LayerCompression, level: Int?)

    /// Parses `gzip`, `gzip:LEVEL`, `gzip:fast`, `gzip:best`, `zstd[:LEVEL]`, `none`, `keep`.
    /// - Throws: ``SpecError`` (`unsupported`) with the accepted forms.
    public init(parsing s: String) throws(SpecError) {
        let parts = s.lowercased().split(separator: ":", maxSplits: 1).map(String.init)
        let usage = "use gzip[:1-9|fast|best], zstd[:1-19|fast|best], none or keep"
        guard let name = parts.first else { throw SpecError(.unsupported, "empty compression; \(usage)") }
        if name == "keep", parts.count == 1 { self = .keep; return }
        if name == "none", parts.count == 1 { self = .to(.none, level: nil); return }
        let range: ClosedRange<Int>
        let fast: Int, best: Int
        let compression: LayerCompression
        switch name {
        case "gzip": compression = .gzip; range = 1...9; fast = 1; best = 9
        case "zstd": compression = .zstd; range = 1...19; fast = 1; best = 19
        default: throw SpecError(.unsupported, "unknown compression \(Echo.quoted(s)); \(usage)")
        }
        guard parts.count == 2 else { self = .to(compression, level: nil); return }
        switch parts[1] {
        case "fast": self = .to(compression, level: fast)
        case "best": self = .to(compression, level: best)
        default:
            guard let level = Int(parts[1]), range.contains(level) else {
                throw SpecError(
                    .unsupported, "compression level \(Echo.quoted(parts[1])) for \(name) must be \(range.lowerBound)-\(range.upperBound), fast or best")
            }
            self = .to(compression, level: level)
        }
    }

    public var description: String {
        switch self {
        case .keep: return "keep"
        case .to(let c, let level): return level.map { "\(c.rawValue):\($0)" } ?? c.rawValue
        }
    }
}

/// Options of a copy.
public struct CopyOptions: Sendable {
    /// How many blobs move at once.
    public var parallelism: Int = 4
    /// Names to give the copied image at the destination; `nil` keeps the source's names.
    public var destinationNames: [String]?
    /// The manifest format to write; `nil` keeps each document's own format (converting only
    /// what the destination cannot take, and synthesised images, to its native format).
    public var format: ManifestFormat?
    /// What to do with layer compression; `nil` keeps layers unless the destination needs otherwise.
    public var compression: CompressionChoice?
    /// Platforms to copy from a multi-platform image; empty copies all that the destination can hold
    /// (a destination without indexes gets the platform of this machine).
    public var platforms: [Platform] = []
    /// Fail instead of writing any document whose digest would differ from the source's.
    public var preserveDigests = false
    /// Write Docker schema 1 (`--format v2s1`), signed or not, instead of ``format``.
    public var schema1Output: Schema1Output?
    /// Refuse a schema 1 source manifest whose signature is missing or does not verify.
    public var requireSignature = false
    /// Where DiffIDs of compressed layers are remembered between runs (see ``DiffIDCache``);
    /// `nil` inflates every layer whose DiffID is needed.
    public var diffIDCache: DiffIDCache?
    /// Where recompressed layers are remembered between runs (see ``TranscodeCache``), so a
    /// rerun skips layers that landed; `nil` recompresses every layer that needs it.
    public var transcodeCache: TranscodeCache?
    /// After the images, copy their referrers — signatures, SBOMs, attestations: the manifests
    /// whose `subject` names a copied manifest — and theirs in turn, verbatim (`--referrers`).
    /// Referrers point at their subject by digest, so the copy then refuses to change any digest.
    public var includeReferrers = false
    /// `--check-layers`: check every layer as `ferry verify` does while it is copied — inflated
    /// and hashed against the config's DiffID, its tar members walked (``LayerContentCheck``) —
    /// and read a layer the destination holds already to check it too. Off: each blob's digest
    /// and size are checked, and a layer carried as it is is not inflated.
    public var checkLayers = false
    /// Called from any task as the copy proceeds.
    public var progress: (@Sendable (CopyEvent) -> Void)?
    /// A limit shared with other copies running at the same time (``BlobSlots``): a sync runs
    /// many copies under one bound on blobs in flight. `nil`: only ``parallelism`` bounds this copy.
    public var blobSlots: BlobSlots?
    /// Blobs the source does not carry and relies on the destination having (the layers a delta
    /// bundle left out, ``BundleDelta``): never read from the source; each must be at the
    /// destination, or the copy fails naming it.
    public var reliedOnBlobs: Set<Digest> = []
    /// `--limit-rate`: every blob read from the source passes at most at this limiter's rate
    /// (shared with other copies of a sync). `nil`: as fast as it goes.
    public var rateLimiter: RateLimiter?
    /// How a blob job that failed in passing (``RetryRule``: a connection lost, a 429 or 5xx the
    /// registry client could not retry itself, such as an upload's one-shot body) is tried again,
    /// from a fresh read of the source: by default 3 tries, 400 ms doubling with jitter, or the
    /// server's `Retry-After` (at most 10 s). Digest and size mismatches are never retried.
    public var jobRetry = RetryPolicy(maximumAttempts: 3, initialDelay: .milliseconds(400), maximumDelay: .seconds(10))

    /// Options with the given values and the defaults for the rest.
    public init(
        parallelism: Int = 4, destinationNames: [String]? = nil, format: ManifestFormat? = nil, compression: CompressionChoice? = nil,
        platforms: [Platform] = [], preserveDigests: Bool = false, progress: (@Sendable (CopyEvent) -> Void)? = nil
    ) {
        self.parallelism = parallelism
        self.destinationNames = destinationNames
        self.format = format
        self.compression = compression
        self.platforms = platforms
        self.preserveDigests = preserveDigests
        self.progress = progress
    }
}

/// How to write Docker schema 1 manifests.
public enum Schema1Output: String, Sendable, Hashable {
    /// `application/vnd.docker.distribution.manifest.v1+prettyjws`, signed with a fresh P-256 key.
    case signed
    /// `application/vnd.docker.distribution.manifest.v1+json`, no signature.
    case unsigned
}
