import AsyncHTTPClient
import Foundation

/// Registry credentials for Amazon ECR hosts, exchanged from AWS credentials.
///
/// For a host matching ``ECRRegistry``, signs `GetAuthorizationToken` with the AWS credentials of
/// ``AWSConfiguration`` and turns `authorizationData[0].authorizationToken` (base64 `AWS:<password>`)
/// into Basic credentials. Tokens live 12 hours; they are cached per host, AWS key and endpoint
/// and fetched again once less than ``refreshMargin`` of their life is left.
/// The region signed for is the host's; the API endpoint is the region's unless
/// `FERRY_ECR_ENDPOINT` / `AWS_ENDPOINT_URL_ECR` override it.
public actor ECRAuthenticator {
    /// The cache shared by every registry client of the process.
    public static let shared = ECRAuthenticator()

    /// How long before `expiresAt` a cached token is replaced.
    public let refreshMargin: TimeInterval
    private let now: @Sendable () -> Date
    private var cache: [String: ECRAPIClient.AuthorizationToken] = [:]
    /// How many tokens were fetched (not served from the cache); for tests and diagnostics.
    public private(set) var exchanges = 0

    /// An authenticator with its own cache.
    /// - Parameters:
    ///   - refreshMargin: replace a token when it has less than this left (30 minutes by default).
    ///   - now: the clock, for tests.
    public init(refreshMargin: TimeInterval = 30 * 60, now: @escaping @Sendable () -> Date = { Date() }) {
        self.refreshMargin = refreshMargin
        self.now = now
    }

    /// Basic credentials (user `AWS`) for `registry`, or `nil` when it is not an ECR host or no
    /// AWS credentials are configured.
    /// - Throws: ``RegistryError`` when the AWS files cannot be read, no region is known, or the
    ///   exchange fails.
    public func credentials(for registry: String, environment: [String: String], http: HTTPClient) async throws -> Credentials? {
        guard let token = try await token(for: registry, environment: environment, http: http) else { return nil }
        return try token.credentials()
    }

    /// The cached or freshly fetched token for `registry` (see ``credentials(for:environment:http:)``).
    public func token(for registry: String, environment: [String: String], http: HTTPClient) async throws -> ECRAPIClient.AuthorizationToken? {
        guard let ecr = ECRRegistry(host: registry) else { return nil }
        let configuration = AWSConfiguration(environment: environment)
        guard let aws = try configuration.credentials() else { return nil }
        let endpoint = ECRAPIClient.endpointOverride(environment) ?? ecr.apiEndpoint
        let key = "\(ecr.account)|\(ecr.region)|\(aws.accessKeyID)|\(endpoint)"
        if let cached = cache[key], cached.expiresAt.timeIntervalSince(now()) > refreshMargin { return cached }
        let api = ECRAPIClient(credentials: aws, region: ecr.region, defaultEndpoint: ecr.apiEndpoint, environment: environment, http: http, now: now)
        let token: ECRAPIClient.AuthorizationToken
        do {
            token = try await api.getAuthorizationToken()
        } catch let error as RegistryError {
            throw RegistryError(
                error.code, "cannot get ECR credentials for \(registry) (AWS key \(aws.accessKeyID)): \(error.message)", method: error.method, url: error.url,
                status: error.status, details: error.details)
        }
        exchanges += 1
        cache[key] = token
        return token
    }
}
