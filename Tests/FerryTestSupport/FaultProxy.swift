import Foundation

/// A running Tests/Support/fault-proxy.py in front of a registry; its log lines read
/// `METHOD PATH range=… status=… bytes=…[ dropped|injected]`.
public typealias FaultProxy = LoggingTestServer

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
    guard let root = SharedFixtures.packageRoot else { throw ExternalToolError("no package root") }
    return try await withTemporaryDirectory { dir in
        let logPath = dir + "/requests.log"
        return try await withTestServer(
            script: root + "/Tests/Support/fault-proxy.py",
            arguments: ["--upstream", upstream, "--log", logPath] + faults, in: dir
        ) { port in
            try await body(FaultProxy(host: "127.0.0.1:\(port)", logFile: logPath))
        }
    }
}
