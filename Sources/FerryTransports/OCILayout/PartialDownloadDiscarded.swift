import FerrySpec
import FerryStreams

/// A blob written through a download kept from an earlier run did not verify, and the kept file
/// was removed: the bytes kept may be what was wrong (a power loss can leave garbage in a file
/// being written), so another try, which reads the blob whole, may succeed. The copy engine's
/// blob retry takes it as transient (``RetryClassifiable``).
public struct PartialDownloadDiscarded: FerryFailure, RetryClassifiable {
    /// The kept file, now removed.
    public var path: String
    /// The bytes it held from the earlier run.
    public var keptLength: Int64
    /// The mismatch the whole blob showed.
    public var mismatch: StreamError

    public init(path: String, keptLength: Int64, underlying: StreamError) {
        self.path = path
        self.keptLength = keptLength
        self.mismatch = underlying
    }

    public var codeName: String { "transport.partialDownloadDiscarded" }
    public var message: String {
        "\(mismatch.message) (its first \(keptLength) bytes came from a download an earlier run kept at \(path); that file was removed, and the blob is to be read again whole)"
    }
    public var underlying: (any Error)? { mismatch }
    public var facts: FailureFacts { mismatch.facts }
    public var description: String { message }
    public var isTransient: Bool { true }
    public var retryAfter: Duration? { nil }
}
