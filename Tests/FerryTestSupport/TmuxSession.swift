import Foundation
import Testing

/// A tmux server on a private socket, for tests that need a real terminal: start a command in a
/// session, read its screen, type into it.
public struct TmuxSession: Sendable {
    /// The server's socket file.
    public let socket: String
    /// The session's name.
    public let name: String

    /// A session `name` on the server at `socket` (nothing runs until ``start(_:width:height:)``).
    public init(socket: String, name: String) {
        self.socket = socket
        self.name = name
    }

    /// Runs tmux on the private socket, through python3, which first closes every descriptor
    /// past standard error (Foundation's Process watches one the child inherits; the tmux server
    /// would hold it open, so `new-session -d` would seem to run until the session ends) and gives
    /// signals back their defaults (the test runner's blocked and ignored signals are inherited,
    /// and a tmux server that cannot get SIGHUP/SIGTERM to its panes outlives `kill-server`).
    public func tmux(_ arguments: [String]) async throws -> ProcessResult {
        let wrapper = """
            import os, signal, sys
            os.closerange(3, 65536)
            signal.pthread_sigmask(signal.SIG_SETMASK, [])
            for s in range(1, signal.NSIG):
                try: signal.signal(s, signal.SIG_DFL)
                except (OSError, ValueError): pass
            os.execvp(sys.argv[1], sys.argv[1:])
            """
        return try await ExternalTool.run("python3", ["-c", wrapper, "tmux", "-S", socket] + arguments)
    }

    /// Starts `command` (run by `sh -c`) in a detached session of `width` × `height`; the pane
    /// stays after the command exits, so its last screen can be read.
    /// - Returns: tmux's result for `new-session`.
    @discardableResult
    public func start(_ command: String, width: Int = 100, height: Int = 20) async throws -> ProcessResult {
        let started = try await tmux(["new-session", "-d", "-s", name, "-x", String(width), "-y", String(height), "sh", "-c", command])
        if started.succeeded { _ = try await tmux(["set-option", "-t", name, "remain-on-exit", "on"]) }
        return started
    }

    /// Types `keys` (tmux key names, such as `C-c` or `Enter`, or literal text).
    public func send(_ keys: [String]) async throws {
        _ = try await tmux(["send-keys", "-t", name] + keys)
    }

    /// Types `text` literally (no key names).
    public func type(_ text: String) async throws {
        _ = try await tmux(["send-keys", "-t", name, "-l", text])
    }

    /// The visible screen, polled until it contains `text` (30 s at most, times
    /// ``TestTiming/scale``: on two shared cores a freshly started command took longer than 10 s
    /// to draw); records an issue and returns the last screen when it never does.
    public func screen(containing text: String) async throws -> String {
        var last = ""
        var problem = ""
        for _ in 0..<(300 * TestTiming.scale) {
            let captured = try await tmux(["capture-pane", "-p", "-t", name])
            last = captured.stdout
            problem = captured.stderr
            if last.contains(text) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the screen never showed \"\(text)\":\n\(last)\(problem)")
        return last
    }

    /// Stops the server and every session on it.
    public func kill() async throws {
        _ = try await tmux(["kill-server"])
    }
}
