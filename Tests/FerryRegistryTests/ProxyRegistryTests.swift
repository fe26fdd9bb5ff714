import Foundation
import FerryEngine
import FerryRegistry
import FerrySpec
import FerryTestSupport
import FerryTransports
import Testing

/// Pulls through a real proxy (tinyproxy, started by TestServices): its log must show the
/// connection, and `NO_PROXY` must keep it out. Serialized because every test reads the proxy's
/// one log, and no other suite uses the proxy.
@Suite(.serialized, .needs(.proxy), .needs(.registry), .enabled(if: ExternalTool.gzipAvailable, "gzip missing"))
struct ProxyRegistryTests {
    let proxy = TestServices.proxy ?? TestProxy(address: "", log: "")
    let registry = SharedFixtures.testRegistry ?? ""

    private func options(_ environment: [String: String], certificateDirectory: String? = nil, credentials: Credentials? = nil) -> RegistryOptions {
        RegistryOptions(credentials: credentials, useCredentialFiles: false, certificateDirectory: certificateDirectory, environment: environment)
    }

    @Test func plainHTTPRegistryThroughTheProxy() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await buildLayout(dir + "/src", seed: 801)
            let repository = SharedFixtures.uniqueRepository("proxy")
            let mark = proxy.mark()
            let environment = ["http_proxy": proxy.url, "https_proxy": proxy.url]
            try await push(layout: dir + "/src", name: "v1", to: registry, repository: repository, tag: "v1", options: options(environment))
            let pulled = try await pull(registry, repository: repository, tag: "v1", into: dir + "/back", options: options(environment))
            #expect(pulled.entries.first?.descriptor.digest == summary["v1"]?.digest)
            let requests = try proxy.requests(since: mark)
            #expect(requests.contains { $0.contains(registry) }, "the proxy's log shows no request to \(registry): \(requests)")
        }
    }

    /// HTTPS through a `CONNECT` tunnel: the TLS registry with basic auth; certificate checks and
    /// credentials work end to end through the tunnel.
    @Test(.needs(.authRegistry))
    func tlsRegistryThroughAConnectTunnel() async throws {
        let auth = try #require(SharedFixtures.testAuthRegistry)
        try await withTemporaryDirectory { dir in
            let summary = try await buildLayout(dir + "/src", seed: 802)
            let repository = SharedFixtures.uniqueRepository("proxy-tls")
            let mark = proxy.mark()
            let environment = ["HTTPS_PROXY": proxy.url, "HTTP_PROXY": proxy.url]
            let options = options(
                environment, certificateDirectory: auth.certificateDirectory, credentials: Credentials(username: auth.username, password: auth.password))
            try await push(layout: dir + "/src", name: "multi", to: auth.host, repository: repository, tag: "multi", options: options)
            let pulled = try await pull(auth.host, repository: repository, tag: "multi", into: dir + "/back", options: options)
            #expect(pulled.entries.first?.descriptor.digest == summary["multi"]?.digest)
            let requests = try proxy.requests(since: mark)
            #expect(requests.contains { $0.contains("CONNECT \(auth.host)") }, "no CONNECT \(auth.host) in the proxy's log: \(requests)")
        }
    }

    @Test(arguments: ["127.0.0.1", "*", "localhost,127.0.0.0/8"])
    func noProxyBypassesTheProxy(_ noProxy: String) async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await buildLayout(dir + "/src", seed: 803)
            let repository = SharedFixtures.uniqueRepository("noproxy")
            try await push(layout: dir + "/src", name: "v1", to: registry, repository: repository, tag: "v1")
            let mark = proxy.mark()
            let environment = ["HTTP_PROXY": proxy.url, "HTTPS_PROXY": proxy.url, "NO_PROXY": noProxy]
            let pulled = try await pull(registry, repository: repository, tag: "v1", into: dir + "/back", options: options(environment))
            #expect(pulled.entries.first?.descriptor.digest == summary["v1"]?.digest)
            #expect(try proxy.requests(since: mark).isEmpty)
        }
    }

    /// A `NO_PROXY` entry for another port of the same host does not apply.
    @Test func noProxyForAnotherPortStillProxies() async throws {
        let mark = proxy.mark()
        let environment = ["HTTP_PROXY": proxy.url, "NO_PROXY": "127.0.0.1:1"]
        try await withRegistryClient(registry, options: options(environment)) { client in
            try await client.ping()
        }
        #expect(try proxy.requests(since: mark).contains { $0.contains(registry) })
    }

    @Test func deadProxyIsNamedInTheError() async throws {
        let environment = ["HTTP_PROXY": "http://127.0.0.1:1", "HTTPS_PROXY": "http://127.0.0.1:1"]
        let error = await #expect(throws: RegistryError.self) {
            try await withRegistryClient(registry, options: options(environment)) { client in
                try await client.ping()
            }
        }
        #expect(error?.code == .connection)
        #expect(error?.message.contains("through proxy http://127.0.0.1:1") == true, "\(error?.message ?? "")")
    }
}
