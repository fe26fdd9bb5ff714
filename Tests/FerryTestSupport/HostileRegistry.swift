import Foundation

/// A running Tests/Support/hostile-registry.py scenario (a registry that lies, redirects,
/// paginates forever, trickles bodies…) and its sink, a second server standing for another origin.
/// Both log every request they receive with its `Authorization` header, so a test can prove where
/// credentials went.
public struct HostileRegistry: Sendable {
    /// One request a server received.
    public struct Request: Sendable, Decodable {
        /// `registry` or `sink`.
        public var server: String
        public var method: String
        public var path: String
        /// The `Authorization` header exactly as received, or `nil`.
        public var authorization: String?
    }

    /// `127.0.0.1:PORT` of the hostile registry.
    public var host: String
    /// `127.0.0.1:PORT` of the sink (the other origin).
    public var sinkHost: String
    /// The user and password the registry accepts.
    public var user: String
    public var password: String
    let registryLog: String
    let sinkLog: String

    /// What the registry received so far.
    public func registryRequests() -> [Request] { Self.read(registryLog) }
    /// What the sink (the other origin) received so far.
    public func sinkRequests() -> [Request] { Self.read(sinkLog) }

    private static func read(_ path: String) -> [Request] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Request.self, from: Data($0.utf8)) }
    }
}

/// Starts the sink and the hostile registry playing `scenario` (see the script's documentation),
/// runs `body`, and stops both.
/// - Throws: ``ExternalToolError`` when python3 or the script is missing or a server does not
///   start, or what `body` throws.
public func withHostileRegistry<T>(_ scenario: String, _ body: (HostileRegistry) async throws -> T) async throws -> T {
    guard let root = SharedFixtures.packageRoot else { throw ExternalToolError("no package root") }
    let script = root + "/Tests/Support/hostile-registry.py"
    let password = "pw-\(UInt64.random(in: 1...UInt64.max))"
    return try await withTemporaryDirectory { dir in
        let sinkDir = dir + "/sink"
        let registryDir = dir + "/registry"
        try FileManager.default.createDirectory(atPath: sinkDir, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: registryDir, withIntermediateDirectories: true)
        let sinkLog = sinkDir + "/requests.log"
        let registryLog = registryDir + "/requests.log"
        return try await withTestServer(script: script, arguments: ["--sink", "--log", sinkLog], in: sinkDir) { sinkPort in
            let arguments = ["--scenario", scenario, "--log", registryLog, "--sink-port", String(sinkPort), "--user", "ferry", "--password", password]
            return try await withTestServer(script: script, arguments: arguments, in: registryDir) { port in
                try await body(
                    HostileRegistry(
                        host: "127.0.0.1:\(port)", sinkHost: "127.0.0.1:\(sinkPort)", user: "ferry", password: password,
                        registryLog: registryLog, sinkLog: sinkLog))
            }
        }
    }
}
