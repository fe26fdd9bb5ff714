import Foundation

/// How slowly a registry may send an answer before Ferry gives up on it (curl's
/// `--speed-limit` / `--speed-time`).
///
/// A body that brings fewer than ``bytesPerSecond`` × ``window`` bytes in a window of ``window``
/// is cut off with a retryable error: a blob download then resumes with `Range`, other requests
/// are tried again, up to ``RetryPolicy/maximumAttempts``. A server that sends nothing at all for
/// ``window`` (headers followed by silence, or no answer to a read) is cut off the same way. The
/// default, 1 KiB/s over 30 s, never stops an honest transfer and ends a stalled one in half a
/// minute per attempt instead of hours.
public struct LowSpeedLimit: Sendable, Hashable {
    /// The lowest average rate, in bytes per second, over one window.
    public var bytesPerSecond: Int
    /// The window the rate is measured over, and the longest silence allowed.
    public var window: Duration

    /// The limit: at least `bytesPerSecond` on average over each `window`.
    public init(bytesPerSecond: Int = 1024, window: Duration = .seconds(30)) {
        self.bytesPerSecond = max(0, bytesPerSecond)
        self.window = max(window, .milliseconds(100))
    }

    /// The limit set by `FERRY_LOW_SPEED_LIMIT` (bytes per second) and `FERRY_LOW_SPEED_TIME`
    /// (seconds) in `environment`, each defaulting to the standard value.
    /// - Throws: ``RegistryError`` (`invalidArgument`) for a value that is not a number.
    public init(environment: [String: String]) throws(RegistryError) {
        let standard = LowSpeedLimit()
        var rate = standard.bytesPerSecond
        var window = standard.window
        if let text = environment["FERRY_LOW_SPEED_LIMIT"] {
            guard let value = Int(text), value >= 0 else {
                throw RegistryError(.invalidArgument, "FERRY_LOW_SPEED_LIMIT must be a number of bytes per second, not \"\(text)\"")
            }
            rate = value
        }
        if let text = environment["FERRY_LOW_SPEED_TIME"] {
            guard let value = Double(text), value > 0, value.isFinite else {
                throw RegistryError(.invalidArgument, "FERRY_LOW_SPEED_TIME must be a number of seconds, not \"\(text)\"")
            }
            window = .milliseconds(Int64(value * 1000))
        }
        self.init(bytesPerSecond: rate, window: window)
    }

    /// The window in whole seconds or a decimal, for messages (`30 s`, `1.5 s`).
    var windowText: String {
        let seconds = Double(window.components.seconds) + Double(window.components.attoseconds) / 1e18
        return seconds == seconds.rounded() ? "\(Int(seconds)) s" : String(format: "%.1f s", seconds)
    }
}

/// Watches the bytes of one answer arriving and says when they come too slowly
/// (``LowSpeedLimit``). A pure value: the caller passes the time.
struct ThroughputWatch: Sendable {
    let limit: LowSpeedLimit
    private var windowStart: ContinuousClock.Instant
    private var bytesInWindow = 0

    init(_ limit: LowSpeedLimit, start: ContinuousClock.Instant = .now) {
        self.limit = limit
        windowStart = start
    }

    /// Counts `count` bytes that arrived at `now`.
    /// - Returns: the bytes of the window just closed when it fell short of the limit, else `nil`.
    mutating func record(_ count: Int, now: ContinuousClock.Instant = .now) -> Int? {
        bytesInWindow += count
        let elapsed = now - windowStart
        guard elapsed >= limit.window else { return nil }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let needed = Double(limit.bytesPerSecond) * seconds
        defer {
            windowStart = now
            bytesInWindow = 0
        }
        return Double(bytesInWindow) < needed ? bytesInWindow : nil
    }

    /// The sentence for a window that fell short.
    func complaint(received: Int) -> String {
        "only \(received) bytes arrived in \(limit.windowText), under the low-speed limit of \(limit.bytesPerSecond) bytes/s (FERRY_LOW_SPEED_LIMIT, FERRY_LOW_SPEED_TIME)"
    }
}

/// Bounds on a paginated list (tags, catalog, referrers): a registry that links to a new page
/// every time, or sends more entries than any repository holds, is stopped with an error naming
/// it and the bound instead of being followed until memory runs out.
public struct ListLimits: Sendable, Hashable {
    /// The most pages followed.
    public var maximumPages: Int
    /// The most entries collected over all pages.
    public var maximumEntries: Int

    /// The bounds; the defaults (10 000 pages, 1 000 000 entries) are far above any real
    /// registry's lists and keep memory under about 100 MB.
    public init(maximumPages: Int = 10_000, maximumEntries: Int = 1_000_000) {
        self.maximumPages = max(1, maximumPages)
        self.maximumEntries = max(1, maximumEntries)
    }

    /// The bounds set by `FERRY_LIST_MAX_PAGES` and `FERRY_LIST_MAX_ENTRIES` in `environment`.
    /// - Throws: ``RegistryError`` (`invalidArgument`) for a value that is not a positive number.
    public init(environment: [String: String]) throws(RegistryError) {
        let standard = ListLimits()
        func value(_ name: String, _ fallback: Int) throws(RegistryError) -> Int {
            guard let text = environment[name] else { return fallback }
            guard let value = Int(text), value > 0 else {
                throw RegistryError(.invalidArgument, "\(name) must be a positive number, not \"\(text)\"")
            }
            return value
        }
        self.init(
            maximumPages: try value("FERRY_LIST_MAX_PAGES", standard.maximumPages),
            maximumEntries: try value("FERRY_LIST_MAX_ENTRIES", standard.maximumEntries))
    }
}
