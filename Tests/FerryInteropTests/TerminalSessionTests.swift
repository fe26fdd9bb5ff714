import Foundation
import FerryTestSupport
import Testing

/// `ferry copy` on a real terminal: a tmux session runs a copy whose source stalls half-way, the
/// screen shows the live progress display, and Ctrl-C (sent as a key) prints that the copy stopped
/// and how to continue it.
@Suite(
    .enabled(if: FerryCLI.available, "no ferry binary (swift build, or set FERRY_BIN)"),
    .enabled(if: ExternalTool.find("tmux") != nil && ExternalTool.find("python3") != nil, "tmux or python3 not installed"),
    .enabled(if: SharedFixtures.testImagesDirectory != nil, "no TestImages"))
struct TerminalSessionTests {
    @Test func theProgressDisplayAndCtrlCOnATerminal() async throws {
        try await withTemporaryDirectory { dir in
            let ferry = try #require(FerryCLI.path)
            let archive = SharedFixtures.testImagesDirectory! + "/hello.docker.tar"
            let session = TmuxSession(socket: dir + "/tmux.sock", name: "copy")
            // Half the archive, then a source that stays open: the copy waits in the middle.
            let command = "(head -c 20480 '\(archive)'; sleep \(60 * TestTiming.scale)) | '\(ferry)' copy --no-sync docker-archive:- 'oci:\(dir)/out:hello'"
            let started = try await session.start(command)
            try #require(started.exitCode == 0, "\(started.stderr)")
            let sessions = try await session.tmux(["list-sessions"])
            try #require(sessions.exitCode == 0, "\(sessions.stderr)")

            let moving = try await session.screen(containing: "Reading the source once:")
            #expect(moving.contains("B/s"), "no rate on the display:\n\(moving)")

            try await session.send(["C-c"])
            let stopped = try await session.screen(containing: "ferry copy: stopped (interrupted).")
            #expect(stopped.contains("run the same command again"), "\(stopped)")
            // The display was cleared before the message: no stale progress line is left above it.
            #expect(!stopped.contains("Reading the source once:"), "\(stopped)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/out/index.json"))
            try await session.kill()
        }
    }
}
