import AsyncHTTPClient
import Foundation
import FerrySpec
import NIOCore
import NIOSSL

/// A client for one registry (`host[:port]`) speaking the distribution API (formats.md §8).
///
/// Created only by ``withRegistryClient(_:options:isolation:_:)``, which owns its HTTP client and
/// shuts it down when the body returns. A `RegistryClient` is a value: copies share the HTTP
/// client, the discovered scheme, the last authentication challenge and the token cache, and may
/// be used from many tasks at once. Every request goes through one path that adds authentication
/// (Basic, or Bearer tokens cached by scope) only where ``CredentialBinding`` allows it, retries
/// (``RetryPolicy``), and cuts off answers slower than ``LowSpeedLimit``.
public struct RegistryClient: Sendable {
    /// The registry as written in references (`localhost:5000`, `docker.io`).
    public let registry: String
    /// The options it was opened with.
    public let options: RegistryOptions
    let http: HTTPClients
    let session: RegistrySession
    let credentials: Credentials?
    let tokens: TokenCache
    /// Whether TLS connections present a client certificate (for the hint when one is missing).
    let presentsClientCertificate: Bool

    /// The host requests go to: `docker.io` is served by `registry-1.docker.io`.
    var host: String { registry == Reference.defaultDomain ? "registry-1.docker.io" : registry }

    /// Whether the host is a loopback address or `localhost`.
    var isLoopback: Bool {
        let name: Substring
        if registry.hasPrefix("[") {
            name = registry.prefix { $0 != "]" }.dropFirst()
        } else {
            name = registry.split(separator: ":", maxSplits: 1).first ?? Substring(registry)
        }
        return name == "localhost" || name.hasPrefix("127.") || name == "::1"
    }

    /// The schemes to try, in order (see ``RegistryOptions``).
    var candidateSchemes: [String] {
        if isLoopback { return ["http", "https"] }
        return options.tlsVerify ? ["https"] : ["https", "http"]
    }
}

/// Runs `body` with a client for `registry`, shutting the client down afterwards whatever happens.
///
/// - Parameters:
///   - registry: `host[:port]`, as in a reference's domain.
///   - options: credentials, TLS and retry settings.
/// - Throws: ``RegistryError`` when the TLS settings or credential files cannot be used, or
///   whatever `body` throws.
public func withRegistryClient<T>(
    _ registry: String,
    options: RegistryOptions = RegistryOptions(),
    isolation: isolated (any Actor)? = #isolation,
    _ body: (RegistryClient) async throws -> T
) async throws -> T {
    var configuration = HTTPClient.Configuration()
    let tls = try TLSSettings.configuration(for: registry, options: options)
    configuration.tlsConfiguration = tls
    // Redirects are followed by hand so that Authorization never goes to another host.
    configuration.redirectConfiguration = .disallow
    configuration.timeout = .init(connect: .seconds(30), read: HTTPClients.patientReadTimeout)
    configuration.decompression = .disabled
    // Failed connections fail the request at once; RetryPolicy decides about retrying (AHC would
    // otherwise retry connecting until the request's deadline, hours for a blob).
    configuration.connectionPool.retryConnectionEstablishment = false
    let proxies = try options.proxies ?? ProxyEnvironment(environment: options.environment ?? ProcessInfo.processInfo.environment)
    let window = options.lowSpeed.window.components
    let readWindow = TimeAmount.nanoseconds(window.seconds * 1_000_000_000 + window.attoseconds / 1_000_000_000)
    let http = HTTPClients(configuration: configuration, readWindow: readWindow, proxies: proxies)
    let credentials: Credentials?
    do {
        credentials = try await resolveCredentials(for: registry, options: options, http: http)
    } catch {
        try? await http.shutdown()
        throw error
    }
    let client = RegistryClient(
        registry: registry, options: options, http: http, session: RegistrySession(),
        credentials: credentials, tokens: TokenCache(), presentsClientCertificate: !tls.certificateChain.isEmpty)
    let result: T
    do {
        result = try await body(client)
    } catch {
        try? await http.shutdown()
        throw error
    }
    try await http.shutdown()
    return result
}

/// The credentials for `registry`, first found wins: ``RegistryOptions/credentials`` (`--creds`);
/// then, when ``RegistryOptions/useCredentialFiles`` is on, the auth files and their credential
/// helpers, or the sources registries.conf's `credential-helpers` lists (``CredentialStore``),
/// then for Amazon ECR hosts a token exchanged from the AWS credentials (``ECRAuthenticator``,
/// cached process-wide). `nil` means anonymous.
func resolveCredentials(for registry: String, options: RegistryOptions, http: HTTPClients) async throws -> Credentials? {
    if let explicit = options.credentials { return explicit }
    guard options.useCredentialFiles else { return nil }
    let environment = options.environment ?? ProcessInfo.processInfo.environment
    let store = CredentialStore(environment: environment, helpers: options.registriesConfiguration.credentialHelpers)
    // Off the concurrency pool: a credential helper is a child process that may take its time
    // (a keyring prompt), and a pool thread blocked on it is one fewer for every other task.
    if let stored = try await offThePool({ try store.credentials(for: registry) }) { return stored }
    guard let ecr = ECRRegistry(host: registry) else { return nil }
    let api = http.client(for: ECRAPIClient.endpointOverride(environment) ?? ecr.apiEndpoint)
    return try await ECRAuthenticator.shared.credentials(for: registry, environment: environment, http: api)
}

extension RegistryClient {
    /// The credentials this client sends (explicit, from the auth files, or exchanged for ECR);
    /// `nil` when it works anonymously.
    public var resolvedCredentials: Credentials? { credentials }

    /// The `Authorization` value Basic authentication sends for `credentials`.
    public static func basicAuthorization(_ credentials: Credentials) -> String { basic(credentials) }
}
