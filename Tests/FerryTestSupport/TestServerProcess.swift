import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A helper server a test talks to (``withTestServer(script:arguments:in:_:)``), and the log of
/// the requests it saw, one line each.
public struct LoggingTestServer: Sendable {
    /// `127.0.0.1:PORT` of the server.
    public var host: String
    /// The file the server logs each request to, one line each.
    public var logFile: String

    /// The log lines so far.
    public func log() -> [String] {
        let text = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }
}

/// Runs a helper server for the length of a test: `python3 SCRIPT ARGUMENTS…`, which must print
/// `port N` as the first line of its output once it listens on 127.0.0.1.
///
/// The process is stopped with SIGKILL and its exit awaited through the termination handler:
/// a child spawned from a Swift concurrency thread inherits that thread's blocked signals, so a
/// SIGTERM may never arrive, and `waitUntilExit()` would hold one of the few concurrency threads.
///
/// - Parameters:
///   - script: the script's path.
///   - arguments: its arguments.
///   - directory: where its output (`server.out`) is kept; the caller's temporary directory.
///   - body: runs with the port once the server listens.
/// - Throws: ``ExternalToolError`` when python3 is missing or the server prints no port within
///   30 s (with its output), or what `body` throws.
public func withTestServer<T>(
    script: String, arguments: [String], in directory: String, _ body: (Int) async throws -> T
) async throws -> T {
    guard let python = ExternalTool.find("python3") else { throw ExternalToolError("python3 not on PATH") }
    let outPath = directory + "/server.out"
    guard FileManager.default.createFile(atPath: outPath, contents: nil) else {
        throw ExternalToolError("cannot create \(outPath)")
    }
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    defer { try? out.close() }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [script] + arguments
    process.standardOutput = out
    process.standardError = out
    process.standardInput = FileHandle.nullDevice
    let (exits, exited) = AsyncStream<Int32>.makeStream()
    process.terminationHandler = { finished in
        exited.yield(finished.terminationStatus)
        exited.finish()
    }
    try process.run()
    let result: Result<T, any Error>
    do {
        let port = try await waitForPort(outPath, process: process, script: script)
        result = .success(try await body(port))
    } catch {
        result = .failure(error)
    }
    kill(process.processIdentifier, SIGKILL)
    for await _ in exits {}
    return try result.get()
}

/// The port the server printed (`port N` on its first line), polled for up to 30 s (longer under
/// a sanitizer, ``TestTiming/scale``).
///
/// The output is read once more after the deadline: a test process whose few concurrency threads
/// are all busy (a sanitized suite) may wake from its sleep only after the deadline, by which time
/// the port has long been printed.
private func waitForPort(_ outPath: String, process: Process, script: String) async throws -> Int {
    func printedPort() -> Int? {
        let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        guard let line = text.split(separator: "\n").first, line.hasPrefix("port ") else { return nil }
        return Int(line.dropFirst(5))
    }
    let deadline = ContinuousClock.now + .seconds(30 * TestTiming.scale)
    while ContinuousClock.now < deadline, process.isRunning {
        if let port = printedPort() { return port }
        try await Task.sleep(for: .milliseconds(50))
    }
    if let port = printedPort() { return port }
    let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    throw ExternalToolError("\((script as NSString).lastPathComponent) did not start (running: \(process.isRunning)): \(text)")
}
