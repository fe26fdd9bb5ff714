import Foundation

/// A running Tests/Support/fault-proxy.py in front of a registry: what a test talks to, and the
/// log of what it forwarded.
public struct FaultProxy: Sendable {
    /// `127.0.0.1:PORT` of the proxy.
    public var host: String
    /// The file the proxy logs each request to, one line each.
    public var logFile: String

    /// The proxy's log lines so far (`METHOD PATH range=… status=… bytes=…[ dropped|injected]`).
    public func log() -> [String] {
        let text = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }
}

/// Starts Tests/Support/fault-proxy.py on a free 127.0.0.1 port in front of `upstream`, runs
/// `body`, and stops exactly that process afterwards, whatever happens.
///
/// - Parameters:
///   - upstream: the registry's `127.0.0.1:PORT`.
///   - faults: the proxy's fault arguments, such as `["--drop-at", "0.8"]`.
/// - Throws: ``ExternalToolError`` when python3 or the script is missing or the proxy does not
///   start, or what `body` throws.
public func withFaultProxy<T>(
    upstream: String, faults: [String], _ body: (FaultProxy) async throws -> T
) async throws -> T {
    guard let python = ExternalTool.find("python3") else { throw ExternalToolError("python3 not on PATH") }
    guard let root = SharedFixtures.packageRoot else { throw ExternalToolError("no package root") }
    let script = root + "/Tests/Support/fault-proxy.py"
    return try await withTemporaryDirectory { dir in
        let outPath = dir + "/stdout"
        let logPath = dir + "/requests.log"
        guard FileManager.default.createFile(atPath: outPath, contents: nil) else {
            throw ExternalToolError("cannot create \(outPath)")
        }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        defer { try? out.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "--upstream", upstream, "--log", logPath] + faults
        process.standardOutput = out
        process.standardError = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        var port: String?
        for _ in 0..<200 {
            let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first, line.hasPrefix("port ") {
                port = String(line.dropFirst(5))
                break
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard let port else {
            let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
            throw ExternalToolError("fault-proxy.py did not start: \(text)")
        }
        return try await body(FaultProxy(host: "127.0.0.1:" + port, logFile: logPath))
    }
}
