import Foundation
import FerryTestSupport
import FerryTransports
import Testing

/// `ferry copy --progress plain`, Ctrl-C, and archives written to standard output: the built
/// binary run with a standard input the test feeds by hand, so a copy can be held in the middle.
@Suite(
    .enabled(if: FerryCLI.available, "no ferry binary (swift build, or set FERRY_BIN)"),
    .enabled(if: SharedFixtures.testImagesDirectory != nil, "no TestImages"))
struct ProgressCLITests {
    private var hello: String { SharedFixtures.testImagesDirectory! + "/hello.docker.tar" }

    /// `ferry ARGS` with standard input a pipe the test writes to; output captured in files.
    final class HeldCopy: @unchecked Sendable {
        let process = Process()
        let input = Pipe()
        let outPath: String
        let errPath: String

        init(_ arguments: [String], in dir: String, environment: [String: String] = [:]) throws {
            outPath = dir + "/held.out"
            errPath = dir + "/held.err"
            _ = FileManager.default.createFile(atPath: outPath, contents: nil)
            _ = FileManager.default.createFile(atPath: errPath, contents: nil)
            process.executableURL = URL(fileURLWithPath: try #require(FerryCLI.path))
            process.arguments = arguments
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            process.standardInput = input
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        }

        var stderr: String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }
        var stdout: String { (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "" }

        /// Starts the process; the returned task ends with its termination status and reason.
        func start() throws -> Task<(Int32, Process.TerminationReason), Never> {
            let (stream, continuation) = AsyncStream.makeStream(of: (Int32, Process.TerminationReason).self)
            process.terminationHandler = { p in
                continuation.yield((p.terminationStatus, p.terminationReason))
                continuation.finish()
            }
            try process.run()
            return Task {
                for await ended in stream { return ended }; return (-1, .exit)
            }
        }

        /// Waits until standard error contains `text` (10 s at most).
        func waitFor(_ text: String) async throws -> Bool {
            for _ in 0..<200 {
                if stderr.contains(text) { return true }
                try await Task.sleep(for: .milliseconds(50))
            }
            return false
        }
    }

    @Test func plainProgressPrintsAHeartbeatWhileTheCopyWaits() async throws {
        try await withTemporaryDirectory { dir in
            let archive = try [UInt8](Data(contentsOf: URL(fileURLWithPath: hello)))
            let copy = try HeldCopy(
                ["copy", "--progress", "plain", "--no-sync", "docker-archive:-", "oci:\(dir)/out:hello"], in: dir,
                environment: ["FERRY_PROGRESS_INTERVAL": "0.2"])
            let ended = try copy.start()
            try copy.input.fileHandleForWriting.write(contentsOf: archive.prefix(4096))
            #expect(try await copy.waitFor("reading the source once:"), "no heartbeat in: \(copy.stderr)")
            try copy.input.fileHandleForWriting.write(contentsOf: archive.dropFirst(4096))
            try copy.input.fileHandleForWriting.close()
            let (status, _) = await ended.value
            #expect(status == 0, "\(copy.stderr)")
            let stderr = copy.stderr
            #expect(stderr.hasPrefix("ferry copy: copying docker-archive:- to oci:\(dir)/out:hello\n"), "\(stderr)")
            #expect(stderr.contains("ferry copy: image sha256:"), "no line per image in: \(stderr)")
            #expect(stderr.contains("elapsed"))
            #expect(!stderr.contains("\u{1B}["), "terminal escapes in plain progress: \(stderr)")
            #expect(copy.stdout.contains("Copied sha256:"))
            #expect(!copy.stdout.contains("ferry copy:"), "progress on stdout: \(copy.stdout)")
        }
    }

    @Test func ctrlCSaysTheCopyStoppedAndHowToContinue() async throws {
        try await withTemporaryDirectory { dir in
            let archive = try [UInt8](Data(contentsOf: URL(fileURLWithPath: hello)))
            let copy = try HeldCopy(
                ["copy", "--progress", "plain", "--no-sync", "docker-archive:-", "oci:\(dir)/out:hello"], in: dir,
                environment: ["FERRY_PROGRESS_INTERVAL": "0.2"])
            let ended = try copy.start()
            try copy.input.fileHandleForWriting.write(contentsOf: archive.prefix(4096))
            #expect(try await copy.waitFor("reading the source once:"), "no heartbeat in: \(copy.stderr)")
            copy.process.interrupt()
            var waited = 0
            while copy.process.isRunning && waited < 200 {
                try await Task.sleep(for: .milliseconds(50))
                waited += 1
            }
            if copy.process.isRunning {
                Issue.record("still running 10 s after SIGINT; stderr: \(copy.stderr)")
                copy.process.terminate()
            }
            try? copy.input.fileHandleForWriting.close()
            let (status, reason) = await ended.value
            #expect(reason == .uncaughtSignal && status == SIGINT, "status \(status), reason \(reason.rawValue): \(copy.stderr)")
            #expect(copy.stderr.contains("ferry copy: stopped (interrupted)."), "\(copy.stderr)")
            #expect(copy.stderr.contains("run the same command again to continue the copy"))
            #expect(!FileManager.default.fileExists(atPath: dir + "/out/index.json"))
            #expect(copy.stdout.isEmpty)
        }
    }

    @Test(arguments: ["docker-archive", "oci-archive"])
    func anArchiveToStandardOutputKeepsEveryMessageOnStandardError(transport: String) async throws {
        try await withTemporaryDirectory { dir in
            let ferry = try #require(FerryCLI.path)
            let scratch = dir + "/tmp"
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            let environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": scratch]) { $1 }
            let result = try await ExternalTool.run(
                "sh", ["-c", "\"$0\" copy --progress plain \"$1\" \"$2:-\" > \"$3\"", ferry, "docker-archive:\(hello)", transport, dir + "/out.tar"],
                environment: environment)
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.contains("Copied sha256:"), "the summary belongs on stderr: \(result.stderr)")
            #expect(result.stderr.contains("ferry copy: copying"))
            let verified = try await FerryCLI.run(["verify", "\(transport):\(dir)/out.tar"])
            #expect(verified.exitCode == 0, "\(verified.stdout)\(verified.stderr)")
            // The staged archive is gone once sent.
            #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty)
        }
    }
}
