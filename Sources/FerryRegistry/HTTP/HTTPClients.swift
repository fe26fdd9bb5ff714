import AsyncHTTPClient
import NIOCore

/// The HTTP clients one ``RegistryClient`` sends through: a direct one, and one per proxy the
/// environment names (async-http-client takes its proxy per client, while Ferry decides per URL:
/// the registry, a token realm on another host and a blob redirect may each go a different way).
///
/// All share one configuration (TLS, timeouts, no automatic redirects) and are shut down together.
struct HTTPClients: Sendable {
    /// The client for connections without a proxy.
    let direct: HTTPClient
    private let proxied: [ProxyServer: HTTPClient]
    /// Which URL goes through which proxy.
    let proxies: ProxyEnvironment

    /// Creates the direct client and one client per distinct proxy in `proxies`.
    init(configuration: HTTPClient.Configuration, proxies: ProxyEnvironment) {
        direct = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        var proxied: [ProxyServer: HTTPClient] = [:]
        for server in [proxies.httpsProxy, proxies.httpProxy].compactMap({ $0 }) where proxied[server] == nil {
            var proxiedConfiguration = configuration
            switch server.kind {
            case .http:
                let authorization = server.username.map { HTTPClient.Authorization.basic(username: $0, password: server.password ?? "") }
                proxiedConfiguration.proxy = .server(host: server.host, port: server.port, authorization: authorization)
            case .socks5:
                proxiedConfiguration.proxy = .socksServer(host: server.host, port: server.port)
            }
            proxied[server] = HTTPClient(eventLoopGroupProvider: .singleton, configuration: proxiedConfiguration)
        }
        self.proxied = proxied
        self.proxies = proxies
    }

    /// The client for a request to `url`.
    func client(for url: String) -> HTTPClient {
        guard let server = proxies.proxy(for: url), let client = proxied[server] else { return direct }
        return client
    }

    /// Sends `request` through the client its URL calls for.
    func execute(_ request: HTTPClientRequest, deadline: NIODeadline) async throws -> HTTPClientResponse {
        try await client(for: request.url).execute(request, deadline: deadline)
    }

    /// Shuts every client down; the first error is thrown after all were asked.
    func shutdown() async throws {
        var failure: (any Error)?
        for client in [direct] + proxied.values {
            do { try await client.shutdown() } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }
}
