/// The rule behind `--limit-rate`: a token bucket of bytes that refills at `bytesPerSecond` and
/// holds at most one second of them (the burst), in which a read may go into debt — the reader
/// then waits until the debt is paid.
///
/// A pure value: time comes in as a duration since some fixed start, so the rule is tested with
/// tables; ``RateLimiter`` runs it on the real clock.
public struct RateBudget: Sendable, Hashable {
    /// The long-run rate.
    public let bytesPerSecond: Int64
    /// Bytes that may be read now without waiting (negative: owed).
    private var tokens: Double
    /// When ``tokens`` was last brought up to date.
    private var updated: Duration = .zero

    /// A budget that starts full (one second of bytes may pass at once).
    public init(bytesPerSecond: Int64) {
        self.bytesPerSecond = max(1, bytesPerSecond)
        tokens = Double(self.bytesPerSecond)
    }

    /// Takes `bytes` at time `now`; returns how long the reader waits before going on (zero when
    /// the bucket held them).
    public mutating func take(_ bytes: Int, at now: Duration) -> Duration {
        let rate = Double(bytesPerSecond)
        if now > updated {
            let elapsed = Double((now - updated).components.seconds) + Double((now - updated).components.attoseconds) / 1e18
            tokens = min(rate, tokens + elapsed * rate)
            updated = now
        }
        tokens -= Double(bytes)
        guard tokens < 0 else { return .zero }
        return .nanoseconds(Int64((-tokens / rate * 1e9).rounded(.up)))
    }
}
