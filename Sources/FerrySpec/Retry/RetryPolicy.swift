/// Bounded retries with exponential back-off and jitter.
///
/// Applied to what ``RetryRule`` calls transient, honouring `Retry-After`. The registry client
/// retries single requests with one (`RegistryOptions.retry`): requests whose body is a
/// one-shot stream (the streamed blob `PATCH`) are never retried there; a ranged chunk `PATCH`
/// is not re-sent blindly either, but resumed from the offset the registry reports, up to
/// ``maximumAttempts`` tries per chunk; a blob `GET` whose body breaks is resumed with `Range`
/// from the byte it stopped at, up to ``maximumAttempts`` breaks in a row without progress. The
/// copy engine retries whole blob jobs with another (`CopyOptions.jobRetry`), from a fresh read
/// of the source.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included.
    public var maximumAttempts: Int
    /// The delay before the second attempt; it doubles each time.
    public var initialDelay: Duration
    /// The longest delay, `Retry-After` included.
    public var maximumDelay: Duration

    /// The default: 4 attempts, 250 ms doubling, at most 10 s apart.
    public init(maximumAttempts: Int = 4, initialDelay: Duration = .milliseconds(250), maximumDelay: Duration = .seconds(10)) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// The delay before attempt `attempt + 1` (attempt counts from 1): doubling, with ±25 % jitter,
    /// or `retryAfter` when the server named one; never more than ``maximumDelay``.
    public func delay(afterAttempt attempt: Int, retryAfter: Duration? = nil) -> Duration {
        if let retryAfter { return min(retryAfter, maximumDelay) }
        let base = initialDelay * (1 << min(max(0, attempt - 1), 16))
        let jitter = Double.random(in: 0.75...1.25)
        return min(base * jitter, maximumDelay)
    }
}
