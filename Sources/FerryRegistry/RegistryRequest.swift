import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// One request to the registry, before authentication and retries are added.
struct RegistryRequest {
    /// What a request carries.
    enum Body {
        /// No body (`Content-Length: 0` for methods that expect one).
        case none
        /// Bytes in memory: can be sent again on a retry.
        case bytes([UInt8])
        /// A one-shot stream: the request is never retried, and is sent only once authentication
        /// is known (an earlier request of the same scope met the challenge).
        case stream(HTTPClientRequest.Body)

        var isReplayable: Bool {
            if case .stream = self { return false }
            return true
        }
    }

    var method: HTTPMethod
    var url: String
    var headers: HTTPHeaders = [:]
    var body: Body = .none
    /// The token scope the request needs (`repository:a/b:pull`), or `nil` for none.
    var scope: String?
    /// The statuses that mean success; anything else becomes a ``RegistryError``.
    var expected: Set<Int>
    /// Follow 301/302/303/307/308 (GET and HEAD only), never sending `Authorization` to another origin.
    var followsRedirects = false
    /// Further scopes the token must cover, such as `pull` on the repository a blob is mounted from.
    var additionalScopes: [String] = []
    /// Whether connection failures, 429 and 5xx are retried here (``RetryPolicy``). A chunk `PATCH`
    /// turns this off: after a failure the registry may hold part of the chunk, so its caller asks
    /// the upload's status and resumes instead of sending the same range again.
    var retriesFailures = true

    /// Every scope the request needs: ``scope`` and ``additionalScopes``.
    var scopes: [String] { (scope.map { [$0] } ?? []) + additionalScopes }
}

/// Token scopes (formats.md §9.3).
enum Scope {
    static func pull(_ repository: String) -> String { "repository:\(repository):pull" }
    static func push(_ repository: String) -> String { "repository:\(repository):pull,push" }
    static func delete(_ repository: String) -> String { "repository:\(repository):delete" }
    /// The whole registry's repository list (`GET /v2/_catalog`).
    static let catalog = "registry:catalog:*"
}
