import Foundation
import FerryTestSupport
import Testing

/// `ferry copy` on a real terminal: a tmux session runs a copy whose source stalls half-way, the
/// screen shows the live progress display, and Ctrl-C (sent as a key) prints that the copy stopped
/// and how to continue it.
@Suite(.enabled(if: FerryCLI.available, "no ferry binary (swift build, or set FERRY_BIN)"),
       .enabled(if: ExternalTool.find("tmux") != nil && ExternalTool.find("python3") != nil, "tmux or python3 not installed"),
       .enabled(if: SharedFixtures.testImagesDirectory != nil, "no TestImages"))
struct TerminalSessionTests {
    /// Runs tmux on a private server socket, through python3, which first closes every descriptor
    /// past standard error (Foundation's Process watches one the child inherits; the tmux server
    /// would hold it open, so `new-session -d` would seem to run until the session ends) and gives
    /// signals back their defaults (the test runner's blocked and ignored signals are inherited,
    /// and a tmux server that cannot get SIGHUP/SIGTERM to its panes outlives `kill-server`).
    private func tmux(_ socket: String, _ arguments: [String]) async throws -> ProcessResult {
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

    /// The visible screen of the session, polled until it contains `text` (10 s at most).
    private func screen(_ socket: String, containing text: String) async throws -> String {
        var last = ""
        var problem = ""
        for _ in 0..<100 {
            let captured = try await tmux(socket, ["capture-pane", "-p", "-t", "copy"])
            last = captured.stdout
            problem = captured.stderr
            if last.contains(text) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the screen never showed \"\(text)\":\n\(last)\(problem)")
        return last
    }

    @Test func theProgressDisplayAndCtrlCOnATerminal() async throws {
        try await withTemporaryDirectory { dir in
            let ferry = try #require(FerryCLI.path)
            let archive = SharedFixtures.testImagesDirectory! + "/hello.docker.tar"
            let socket = dir + "/tmux.sock"
            // Half the archive, then a source that stays open: the copy waits in the middle.
            let command = "(head -c 20480 '\(archive)'; sleep 60) | '\(ferry)' copy --no-sync docker-archive:- 'oci:\(dir)/out:hello'"
            let started = try await tmux(socket, ["new-session", "-d", "-s", "copy", "-x", "100", "-y", "20", "sh", "-c", command])
            try #require(started.exitCode == 0, "\(started.stderr)")
            let sessions = try await tmux(socket, ["list-sessions"])
            try #require(sessions.exitCode == 0, "\(sessions.stderr)")
            _ = try await tmux(socket, ["set-option", "-t", "copy", "remain-on-exit", "on"])

            let moving = try await screen(socket, containing: "Reading the source once:")
            #expect(moving.contains("B/s"), "no rate on the display:\n\(moving)")

            _ = try await tmux(socket, ["send-keys", "-t", "copy", "C-c"])
            let stopped = try await screen(socket, containing: "ferry copy: stopped (interrupted).")
            #expect(stopped.contains("run the same command again"), "\(stopped)")
            // The display was cleared before the message: no stale progress line is left above it.
            #expect(!stopped.contains("Reading the source once:"), "\(stopped)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/out/index.json"))
            _ = try await tmux(socket, ["kill-server"])
        }
    }
}
