import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// The HTTP clients one ``RegistryClient`` sends through: a direct one, and one per proxy the
/// environment names (async-http-client takes its proxy per client, while Ferry decides per URL:
/// the registry, a token realm on another host and a blob redirect may each go a different way).
///
/// Each exists twice, differing only in how long a server may stay silent
/// (async-http-client's idle read timeout, which it sets per client):
/// - **reads** (`GET`, `HEAD`): the low-speed window (``LowSpeedLimit/window``), so a server that
///   sends headers and then nothing is cut off after tens of seconds, not minutes;
/// - **writes** (`POST`, `PUT`, `PATCH`, `DELETE`): ``patientReadTimeout``, because a registry may
///   work for a while before it answers the last `PUT` of a large blob (moving it in its storage).
///
/// All share one configuration otherwise (TLS, no automatic redirects) and are shut down together.
struct HTTPClients: Sendable {
    /// How long a registry may take to answer a write.
    static let patientReadTimeout = TimeAmount.seconds(120)

    private let reads: [ProxyServer?: HTTPClient]
    private let writes: [ProxyServer?: HTTPClient]
    /// Which URL goes through which proxy.
    let proxies: ProxyEnvironment

    /// Creates the direct clients and the clients of each distinct proxy in `proxies`.
    /// - Parameter readWindow: the idle read timeout of the clients for reads.
    init(configuration: HTTPClient.Configuration, readWindow: TimeAmount, proxies: ProxyEnvironment) {
        var reads: [ProxyServer?: HTTPClient] = [:]
        var writes: [ProxyServer?: HTTPClient] = [:]
        for server in [nil] + [proxies.httpsProxy, proxies.httpProxy].compactMap({ $0 }) where reads[server] == nil {
            var proxied = configuration
            switch server?.kind {
            case nil:
                break
            case .http?:
                let authorization = server?.username.map { HTTPClient.Authorization.basic(username: $0, password: server?.password ?? "") }
                proxied.proxy = .server(host: server!.host, port: server!.port, authorization: authorization)
            case .socks5?:
                proxied.proxy = .socksServer(host: server!.host, port: server!.port)
            }
            var read = proxied
            read.timeout.read = readWindow
            var write = proxied
            write.timeout.read = Self.patientReadTimeout
            reads[server] = HTTPClient(eventLoopGroupProvider: .singleton, configuration: read)
            writes[server] = HTTPClient(eventLoopGroupProvider: .singleton, configuration: write)
        }
        self.reads = reads
        self.writes = writes
        self.proxies = proxies
    }

    /// The client for a request to `url`: a read's unless `method` writes.
    func client(for url: String, method: HTTPMethod = .POST) -> HTTPClient {
        let server = proxies.proxy(for: url)
        let clients = method == .GET || method == .HEAD ? reads : writes
        return clients[server] ?? clients[nil]!
    }

    /// Sends `request` through the client its URL and method call for.
    func execute(_ request: HTTPClientRequest, deadline: NIODeadline) async throws -> HTTPClientResponse {
        try await client(for: request.url, method: request.method).execute(request, deadline: deadline)
    }

    /// Shuts every client down; the first error is thrown after all were asked.
    func shutdown() async throws {
        var failure: (any Error)?
        for client in Array(reads.values) + Array(writes.values) {
            do { try await client.shutdown() } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }
}
