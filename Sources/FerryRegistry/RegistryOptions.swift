import FerrySpec

/// How to reach one registry: credentials, TLS (CA and client certificates), proxies and retries.
///
/// **Plain HTTP.** Ferry speaks HTTPS with certificate verification unless told otherwise. Two
/// cases also try plain HTTP, the way docker treats `127.0.0.0/8` as an insecure registry and
/// skopeo's `--tls-verify=false` falls back to HTTP:
/// - a loopback host (`localhost`, `127.x.x.x`, `[::1]`): plain HTTP is tried first, then HTTPS;
///   a registry that speaks TLS there answers the plain request with 400 and gets HTTPS.
/// - ``tlsVerify`` `false`: HTTPS without verification first, then plain HTTP.
/// Credentials are sent over plain HTTP only in those two cases, and only ever to the registry's
/// own origin and the token realm it named (``CredentialBinding``).
public struct RegistryOptions: Sendable, Hashable {
    /// User and password given explicitly (`--creds USER:PASS`); when `nil`, the credential files
    /// are consulted (see ``CredentialStore``).
    public var credentials: Credentials?
    /// Whether to look credentials up when none are given: docker's `config.json` and containers'
    /// `auth.json` (and their helpers), then, for Amazon ECR hosts, a token exchanged from the AWS
    /// credentials (``ECRAuthenticator``).
    public var useCredentialFiles: Bool
    /// Whether a destination repository is created before pushing (`--create-repository`): for
    /// Amazon ECR hosts through the ECR API's `CreateRepository`; other registries create
    /// repositories on push, so nothing is done for them.
    public var createRepository: Bool = false
    /// How blobs are uploaded: `nil` (the default, and the fastest) streams each blob in one
    /// `PATCH` without `Content-Range`; a number of bytes sends ranged `PATCH`es of that size
    /// (the last one shorter, none smaller than the registry's `OCI-Chunk-Min-Length`), each
    /// held in memory until the registry acknowledged it, so a broken chunk is resumed from the
    /// offset the registry reports (formats.md §8.3 items 3 and 5).
    public var uploadChunkSize: Int?
    /// Verify the registry's TLS certificate (the default). `false` also allows plain HTTP.
    public var tlsVerify: Bool
    /// A certificate directory for this registry in docker's convention (`--cert-dir`): every
    /// `*.crt` is a CA certificate trusted besides the system's, and a `NAME.cert` + `NAME.key`
    /// pair (such as `client.cert` / `client.key`) is the client certificate for mutual TLS.
    /// When `nil`, the directories ``certificateRoots``/`HOST[:PORT]` are used where they exist.
    public var certificateDirectory: String?
    /// A client certificate and key for mutual TLS (`--client-cert` / `--client-key`); takes
    /// precedence over a pair found in a certificate directory.
    public var clientCertificate: ClientCertificate?
    /// Where per-registry certificate directories are looked up when ``certificateDirectory`` is
    /// `nil`: `ROOT/HOST[:PORT]/` for each root, as the containers tools and docker do. Every
    /// directory that exists contributes its CA certificates; the first client pair wins.
    public var certificateRoots: [String] = ["/etc/containers/certs.d", "/etc/docker/certs.d"]
    /// The proxies to use; `nil` means those of ``environment`` (`HTTPS_PROXY`, `HTTP_PROXY`,
    /// `NO_PROXY` and their lower-case forms, see ``ProxyEnvironment``).
    public var proxies: ProxyEnvironment?
    /// How failed requests are retried.
    public var retry: RetryPolicy
    /// How slowly an answer may arrive before it is cut off and retried (``LowSpeedLimit``).
    public var lowSpeed: LowSpeedLimit = LowSpeedLimit()
    /// How many pages and entries a paginated list may have (``ListLimits``).
    public var listLimits: ListLimits = ListLimits()
    /// What containers' `registries.conf` says about registries (``RegistriesConfiguration``):
    /// location rewrites, `insecure`, `blocked` and pull mirrors. Empty by default; the `ferry`
    /// command reads the files (``RegistriesConfFiles``). Applied where a place is opened
    /// (`TransportReference.withSource` / `withDestination`).
    public var registriesConfiguration = RegistriesConfiguration()
    /// The environment credential files and proxies are found through (`DOCKER_CONFIG`,
    /// `REGISTRY_AUTH_FILE`, `XDG_RUNTIME_DIR`, `HOME`, `HTTPS_PROXY`, …); `nil` means the
    /// process's own.
    public var environment: [String: String]?

    /// Options with verification on, credentials from the files, and the default retry policy.
    public init(
        credentials: Credentials? = nil, useCredentialFiles: Bool = true, tlsVerify: Bool = true, certificateDirectory: String? = nil,
        clientCertificate: ClientCertificate? = nil, retry: RetryPolicy = RetryPolicy(), environment: [String: String]? = nil
    ) {
        self.credentials = credentials
        self.useCredentialFiles = useCredentialFiles
        self.tlsVerify = tlsVerify
        self.certificateDirectory = certificateDirectory
        self.clientCertificate = clientCertificate
        self.retry = retry
        self.environment = environment
    }
}

/// A user name and password (or token) for a registry.
public struct Credentials: Sendable, Hashable, CustomStringConvertible {
    /// The user name.
    public var username: String
    /// The password or token.
    public var password: String

    /// Creates credentials.
    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// Parses `USER:PASS` (split at the first `:`, so the password may contain colons).
    /// - Throws: ``RegistryError`` (`invalidArgument`) when there is no `:` or the user is empty.
    public init(parsing string: String) throws(RegistryError) {
        guard let colon = string.firstIndex(of: ":"), colon != string.startIndex else {
            throw RegistryError(.invalidArgument, "credentials must be USER:PASSWORD")
        }
        username = String(string[..<colon])
        password = String(string[string.index(after: colon)...])
    }

    /// The user name docker and its credential helpers give an identity token (an OAuth2
    /// refresh token) under: the password is then that token.
    public static let identityTokenUser = "<token>"

    /// An identity token (`identitytoken` in an auth file, or a helper's `<token>` user): it is
    /// exchanged for bearer tokens at the registry's token endpoint with the OAuth2 refresh-token
    /// grant, and answers no Basic challenge.
    public static func identityToken(_ token: String) -> Credentials {
        Credentials(username: identityTokenUser, password: token)
    }

    /// Whether these are an identity token rather than a user and password.
    public var isIdentityToken: Bool { username == Self.identityTokenUser }

    /// Never prints the password.
    public var description: String { "\(username):***" }
}
