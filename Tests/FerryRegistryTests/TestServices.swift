import Foundation
import FerryTestSupport
import Testing

/// The services Scripts/test starts for the transport tests (mutual TLS, proxy, token counting),
/// read from its environment variables; each is `nil` when the variable is absent.
enum TestServices {
    private static var environment: [String: String] { ProcessInfo.processInfo.environment }

    private static func value(_ name: String) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// The registry that requires a client certificate (`start_mtls_registry`).
    struct MutualTLSRegistry {
        /// `127.0.0.1:PORT`.
        var host: String
        /// A certificate directory with `ca.crt`, `client.cert` and `client.key`.
        var certificates: String
        /// A directory with only `ca.crt`.
        var authorityOnly: String
    }

    static var mutualTLSRegistry: MutualTLSRegistry? {
        guard let host = value("FERRY_TEST_REGISTRY_MTLS"), let certificates = value("FERRY_TEST_REGISTRY_MTLS_CERTS"),
              let authorityOnly = value("FERRY_TEST_REGISTRY_MTLS_CA") else { return nil }
        return MutualTLSRegistry(host: host, certificates: certificates, authorityOnly: authorityOnly)
    }

    /// The tinyproxy (`start_proxy`).
    struct Proxy {
        /// `127.0.0.1:PORT`.
        var address: String
        /// Its log: one `Request (file descriptor N): CONNECT host:port HTTP/1.1` line per request.
        var log: String

        /// `http://127.0.0.1:PORT`.
        var url: String { "http://" + address }

        /// The log's current length, to read only what a test adds after it.
        func mark() -> Int {
            (try? FileManager.default.attributesOfItem(atPath: log)[.size] as? NSNumber)?.intValue ?? 0
        }

        /// The request lines logged since `mark`.
        func requests(since mark: Int) throws -> [String] {
            let data = try Data(contentsOf: URL(fileURLWithPath: log))
            let text = String(decoding: data.dropFirst(mark), as: UTF8.self)
            return text.split(separator: "\n").filter { $0.contains("Request (") }.map(String.init)
        }
    }

    static var proxy: Proxy? {
        guard let address = value("FERRY_TEST_PROXY"), let log = value("FERRY_TEST_PROXY_LOG") else { return nil }
        return Proxy(address: address, log: log)
    }

    /// `http://127.0.0.1:PORT` of the token server (`start_token_registry`).
    static var tokenServer: String? { value("FERRY_TEST_TOKEN_SERVER") }

    /// The token registry's log, access log included (`start_token_registry`).
    static var tokenRegistryLog: String? { value("FERRY_TEST_REGISTRY_TOKEN_LOG") }

    /// The access-log lines of requests to `repository` that the token registry answered 401.
    static func refusals(in repository: String) throws -> [String] {
        let log = try #require(tokenRegistryLog)
        let text = try String(contentsOfFile: log, encoding: .utf8)
        return text.split(separator: "\n").filter { $0.contains("/v2/\(repository)/") && $0.contains("\" 401 ") }.map(String.init)
    }

    /// How many tokens the token server has issued to `user` (asked with curl).
    static func tokensIssued(to user: String) async throws -> Int {
        let server = try #require(tokenServer)
        let curl = try #require(ExternalTool.find("curl"))
        let answer = try await ExternalTool.runChecked(curl, ["-sf", "--max-time", "10", "\(server)/count?user=\(user)"]).stdout
        let object = try JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any]
        return try #require(object?["count"] as? Int)
    }
}
