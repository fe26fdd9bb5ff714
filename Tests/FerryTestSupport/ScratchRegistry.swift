import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starts a throwaway docker-registry (CNCF distribution) on a free 127.0.0.1 port with its
/// storage in `directory`, runs `body` with its `127.0.0.1:PORT`, and stops exactly that process
/// afterwards (SIGKILL, its exit awaited), whatever happens. For tests that need a second real
/// registry beside the one Scripts/test starts, such as a mirror.
/// - Throws: ``ExternalToolError`` when docker-registry is missing or does not answer `/v2/`
///   within 30 s (with its log), or what `body` throws.
public func withScratchRegistry<T>(in directory: String, _ body: (String) async throws -> T) async throws -> T {
    guard let binary = ExternalTool.find("docker-registry") else { throw ExternalToolError("docker-registry not on PATH") }
    let port = try await freeLoopbackPort()
    try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
    let config = """
        version: 0.1
        log:
          level: warn
          accesslog:
            disabled: true
        storage:
          filesystem:
            rootdirectory: \(directory)/data
          delete:
            enabled: true
          redirect:
            disable: true
        http:
          addr: 127.0.0.1:\(port)
          secret: ferry-scratch-\(UInt64.random(in: 1...UInt64.max))
        health:
          storagedriver:
            enabled: false
        """
    try config.write(toFile: directory + "/config.yml", atomically: true, encoding: .utf8)
    let logPath = directory + "/registry.log"
    guard FileManager.default.createFile(atPath: logPath, contents: nil) else { throw ExternalToolError("cannot create \(logPath)") }
    let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
    defer { try? log.close() }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = ["serve", directory + "/config.yml"]
    process.standardOutput = log
    process.standardError = log
    process.standardInput = FileHandle.nullDevice
    let (exits, exited) = AsyncStream<Int32>.makeStream()
    process.terminationHandler = { finished in
        exited.yield(finished.terminationStatus)
        exited.finish()
    }
    try process.run()
    let result: Result<T, any Error>
    do {
        try await waitUntilServing(port: port, process: process, log: logPath)
        result = .success(try await body("127.0.0.1:\(port)"))
    } catch {
        result = .failure(error)
    }
    kill(process.processIdentifier, SIGKILL)
    for await _ in exits {}
    return try result.get()
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
public func freeLoopbackPort() async throws -> Int {
    let script = "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1]); s.close()"
    let result = try await ExternalTool.run("python3", ["-c", script])
    guard result.succeeded, let port = Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
        throw ExternalToolError("no free port: \(result.stderr)")
    }
    return port
}

private func waitUntilServing(port: Int, process: Process, log: String) async throws {
    let deadline = ContinuousClock.now + .seconds(30)
    while ContinuousClock.now < deadline {
        let probe = try await ExternalTool.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "1", "http://127.0.0.1:\(port)/v2/"])
        if probe.stdout == "200" { return }
        guard process.isRunning else { break }
        try await Task.sleep(for: .milliseconds(100))
    }
    let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
    throw ExternalToolError("docker-registry did not start on port \(port) (running: \(process.isRunning)): \(text)")
}
