import ArgumentParser
import Foundation

/// `--progress auto|tty|plain|none`: how a copy shows that it is moving, on standard error.
enum ProgressMode: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// `tty` when standard error is a terminal, else `plain`.
    case auto
    /// A live display redrawn in place (blobs in flight, rates).
    case tty
    /// Lines for logs: one per image, then a heartbeat with bytes and rate every few seconds.
    case plain
    /// Nothing but errors and notes.
    case none

    /// The mode to use: `auto` resolved against standard error, `none` when `quiet`.
    func resolved(quiet: Bool) -> ProgressMode {
        if quiet { return .none }
        guard self == .auto else { return self }
        return isatty(STDERR_FILENO) == 1 ? .tty : .plain
    }

    /// Seconds between two heartbeat lines in `plain` mode: `$FERRY_PROGRESS_INTERVAL` when it
    /// is a positive number (tests set a fraction of a second), else 5.
    static var heartbeatInterval: Duration {
        if let text = ProcessInfo.processInfo.environment["FERRY_PROGRESS_INTERVAL"], let seconds = Double(text), seconds > 0 {
            return .milliseconds(Int64(seconds * 1000))
        }
        return .seconds(5)
    }
}
