import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The few calls of the Amazon ECR API Ferry makes, as SigV4-signed `application/x-amz-json-1.1`
/// POSTs (target prefix `AmazonEC2ContainerRegistry_V20150921`, signing service `ecr`).
///
/// The endpoint is the region's (``ECRRegistry/apiEndpoint``) unless `FERRY_ECR_ENDPOINT` or
/// `AWS_ENDPOINT_URL_ECR` names another (tests point it at a local moto server).
public struct ECRAPIClient: Sendable {
    /// The URL requests are POSTed to.
    public let endpoint: String
    /// The region of the signature scope.
    public let region: String
    let signer: SigV4Signer
    let http: HTTPClient
    /// The signing time; the current time by default (tests fix it).
    let now: @Sendable () -> Date

    /// A client for `region`, signing with `credentials`, sending through `http`.
    /// - Parameters:
    ///   - endpoint: the API URL; `nil` means the override from `environment`, else `defaultEndpoint`.
    public init(
        credentials: AWSCredentials, region: String, defaultEndpoint: String, environment: [String: String], http: HTTPClient,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.endpoint = Self.endpointOverride(environment) ?? defaultEndpoint
        self.region = region
        self.signer = SigV4Signer(credentials: credentials, region: region, service: "ecr")
        self.http = http
        self.now = now
    }

    /// `FERRY_ECR_ENDPOINT`, else `AWS_ENDPOINT_URL_ECR`, when set.
    public static func endpointOverride(_ environment: [String: String]) -> String? {
        for name in ["FERRY_ECR_ENDPOINT", "AWS_ENDPOINT_URL_ECR"] {
            if let value = environment[name], !value.isEmpty { return value }
        }
        return nil
    }

    /// An authorization token: `authorizationData[0]` of `GetAuthorizationToken`.
    public struct AuthorizationToken: Sendable, Hashable {
        /// base64 of `AWS:<password>`, sent unchanged as `Authorization: Basic <token>`.
        public var token: String
        /// When the token stops working.
        public var expiresAt: Date
        /// The registry URL it is for (`https://<account>.dkr.ecr.<region>.amazonaws.com`).
        public var proxyEndpoint: String?

        /// The token decoded into user (`AWS`) and password.
        /// - Throws: ``RegistryError`` (`invalidResponse`) when it is not base64 of `USER:PASSWORD`.
        public func credentials() throws(RegistryError) -> Credentials {
            guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8),
                let colon = text.firstIndex(of: ":"), colon != text.startIndex
            else {
                throw RegistryError(.invalidResponse, "ECR authorization token is not base64 of USER:PASSWORD")
            }
            return Credentials(username: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
        }
    }

    /// `GetAuthorizationToken` with an empty body (the default registry of the credentials'
    /// account).
    public func getAuthorizationToken() async throws -> AuthorizationToken {
        let object = try await call("GetAuthorizationToken", body: [:])
        guard let list = object["authorizationData"] as? [[String: Any]], let first = list.first,
            let token = first["authorizationToken"] as? String, !token.isEmpty
        else {
            throw RegistryError(.invalidResponse, "ECR GetAuthorizationToken at \(endpoint): the answer holds no authorizationData[0].authorizationToken")
        }
        let expires: Date
        if let seconds = first["expiresAt"] as? NSNumber {
            expires = Date(timeIntervalSince1970: seconds.doubleValue)
        } else {
            expires = now().addingTimeInterval(12 * 3600)
        }
        return AuthorizationToken(token: token, expiresAt: expires, proxyEndpoint: first["proxyEndpoint"] as? String)
    }

    /// `CreateRepository` for `name`.
    /// - Returns: `false` when the repository already existed (`RepositoryAlreadyExistsException`).
    @discardableResult
    public func createRepository(_ name: String, immutableTags: Bool = false) async throws -> Bool {
        do {
            _ = try await call("CreateRepository", body: ["repositoryName": name, "imageTagMutability": immutableTags ? "IMMUTABLE" : "MUTABLE"])
            return true
        } catch let error as RegistryError where error.has("RepositoryAlreadyExistsException") {
            return false
        }
    }

    /// The names of the repositories `DescribeRepositories` lists (first page).
    public func repositoryNames() async throws -> [String] {
        let object = try await call("DescribeRepositories", body: [:])
        let list = object["repositories"] as? [[String: Any]] ?? []
        return list.compactMap { $0["repositoryName"] as? String }
    }

    /// POSTs `body` as JSON to action `action`, signed; returns the decoded JSON object.
    /// - Throws: ``RegistryError``: `connection`, or `unauthorized` / `httpStatus` with the AWS
    ///   error `__type` as the detail code and its `message`.
    public func call(_ action: String, body: [String: Any]) async throws -> [String: Any] {
        let bytes = try Array(JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]))
        guard let components = URLComponents(string: endpoint), let hostName = components.host else {
            throw RegistryError(.invalidArgument, "ECR endpoint \(endpoint) is not a URL")
        }
        let host = components.port.map { "\(hostName):\($0)" } ?? hostName
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        let target = "AmazonEC2ContainerRegistry_V20150921." + action
        let headers: [(name: String, value: String)] = [
            (name: "Content-Type", value: "application/x-amz-json-1.1"),
            (name: "Host", value: host),
            (name: "X-Amz-Target", value: target),
        ]
        let signature = signer.sign(
            method: "POST", path: path.removingPercentEncoding ?? path, query: components.percentEncodedQuery ?? "", headers: headers, body: bytes, date: now())
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        for header in headers + signature.headers { request.headers.add(name: header.name, value: header.value) }
        request.headers.add(name: "User-Agent", value: RegistryClient.userAgent)
        request.body = .bytes(ByteBuffer(bytes: bytes))
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, deadline: .now() + .seconds(60))
        } catch {
            throw RegistryError(.connection, "ECR \(action) POST \(endpoint): \(RegistryClient.describe(error))", method: "POST", url: endpoint)
        }
        let data = try await response.body.collect(upTo: 4 << 20)
        let object = (try? JSONSerialization.jsonObject(with: Data(data.readableBytesView))) as? [String: Any] ?? [:]
        guard response.status == .ok else {
            let type = (object["__type"] as? String).map { $0.split(separator: "#").last.map(String.init) ?? $0 } ?? "HTTP \(response.status.code)"
            let message = object["message"] as? String ?? object["Message"] as? String ?? ""
            let code: RegistryError.Code = [401, 403].contains(response.status.code) ? .unauthorized : .httpStatus
            throw RegistryError(
                code, "ECR \(action) at \(endpoint) failed: \(type)\(message.isEmpty ? "" : ": " + message)", method: "POST", url: endpoint,
                status: Int(response.status.code), details: [.init(code: type, message: message)])
        }
        return object
    }
}
