/// One `--limit-rate` shared by every blob a run reads: each chunk takes its bytes from one
/// ``RateBudget`` and sleeps off any debt, so the run as a whole stays under the rate however
/// many blobs move at once.
public actor RateLimiter {
    private var budget: RateBudget
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant

    /// A limiter of `bytesPerSecond`.
    public init(bytesPerSecond: Int64) {
        budget = RateBudget(bytesPerSecond: bytesPerSecond)
        start = clock.now
    }

    /// The rate.
    public nonisolated var bytesPerSecond: Int64 { get async { await budget.bytesPerSecond } }

    /// Waits until `bytes` more may pass.
    /// - Throws: `CancellationError` when the task is cancelled while it waits.
    public func take(_ bytes: Int) async throws {
        let wait = budget.take(bytes, at: clock.now - start)
        if wait > .zero { try await Task.sleep(for: wait) }
    }
}

/// A stream whose chunks pass at most at a ``RateLimiter``'s rate.
public final class RateLimitedStream: ByteStream {
    private let upstream: any ByteStream
    private let limiter: RateLimiter

    public init(_ upstream: any ByteStream, limiter: RateLimiter) {
        self.upstream = upstream
        self.limiter = limiter
    }

    public func next() async throws -> [UInt8]? {
        guard let chunk = try await upstream.next() else { return nil }
        try await limiter.take(chunk.count)
        return chunk
    }
}
