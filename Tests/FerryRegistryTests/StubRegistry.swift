import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a stub server process for the length of a test, without blocking a concurrency thread.
///
/// The process is given the path of a port file as its last argument and must write its port
/// there (atomically, by rename) once it listens. It is stopped with SIGKILL — a child spawned
/// from a Swift concurrency thread inherits that thread's blocked signals, so SIGTERM may never
/// arrive — and its exit is awaited through the termination handler, never `waitUntilExit()`.
enum StubRegistry {
    /// Starts `executable arguments… DIR/port`, waits up to 30 s for the port, runs `body` with
    /// it, and stops the process whatever `body` does.
    static func run<T>(_ executable: String, _ arguments: [String], in dir: String, _ body: (Int) async throws -> T) async throws -> T {
        let portFile = dir + "/port"
        let logFile = dir + "/stub.log"
        guard FileManager.default.createFile(atPath: logFile, contents: nil) else {
            throw StubError(description: "cannot create \(logFile)")
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        defer { try? log.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments + [portFile]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        let (exits, exited) = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { finished in
            exited.yield(finished.terminationStatus)
            exited.finish()
        }
        try process.run()
        let result: Result<T, any Error>
        do {
            let port = try await waitForPort(portFile, process: process, log: logFile)
            result = .success(try await body(port))
        } catch {
            result = .failure(error)
        }
        kill(process.processIdentifier, SIGKILL)
        for await _ in exits {}
        return try result.get()
    }

    private static func waitForPort(_ path: String, process: Process, log: String) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOfFile: path, encoding: .utf8), let port = Int(text) { return port }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        throw StubError(description: "the stub wrote no port to \(path) (running: \(process.isRunning)); its output: \(output)")
    }

    struct StubError: Error, CustomStringConvertible {
        var description: String
    }
}
