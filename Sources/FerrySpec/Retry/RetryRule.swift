import Foundation

/// Which failures are worth another try: the one rule every retry in Ferry follows (the
/// registry client's request retry, its chunk resumption, its ping, and the copy engine's blob
/// job retry).
///
/// Transient: 429 Too Many Requests and every 5xx except 501 Not Implemented (a server that
/// does not implement a method will not start to), and a broken or refused connection (which
/// errors count as that is the transport's to say, through ``RetryClassifiable``).
public enum RetryRule {
    /// Whether an HTTP answer with `status` is worth another try.
    public static func isTransient(status: Int) -> Bool {
        status == 429 || (500...599).contains(status) && status != 501
    }

    /// The wait a `Retry-After` header value asks for: delta-seconds (`120`) or an HTTP-date
    /// (`Wed, 21 Oct 2015 07:28:00 GMT`, counted from `now`); `nil` when absent or unreadable.
    /// A date in the past asks for no wait.
    public static func retryAfter(_ value: String?, now: Date = Date()) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value) { return seconds >= 0 ? .seconds(seconds) : nil }
        guard let date = httpDate(value) else { return nil }
        let seconds = date.timeIntervalSince(now)
        return seconds > 0 ? .milliseconds(Int64((seconds * 1000).rounded())) : .zero
    }

    /// An IMF-fixdate (RFC 9110 §5.6.7), the form servers send.
    private static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}

/// An error that knows whether another try may succeed, and how long the server asked to wait:
/// how the copy engine decides about retrying a blob job without knowing the transport behind it.
public protocol RetryClassifiable: Error {
    /// Whether another try may succeed (``RetryRule``).
    var isTransient: Bool { get }
    /// How long the server asked to wait before another try (`Retry-After`), if it did.
    var retryAfter: Duration? { get }
}
