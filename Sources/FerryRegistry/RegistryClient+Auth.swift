import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

extension RegistryClient {
    /// The `Authorization` value for a request needing `scopes`, or `nil` before any challenge
    /// (requests go out anonymously until the registry asks). Bearer tokens come from the cache
    /// while they have more than their renewal margin left, else are fetched anew.
    func authorization(scopes: [String]) async throws -> String? {
        guard let challenge = await session.challenge else { return nil }
        switch challenge.scheme {
        case "basic":
            if let credentials, credentials.isIdentityToken {
                throw RegistryError(
                    .unauthorized,
                    "\(registry) asks for a user and password (Basic), and the credentials found for it are an identity token, which only a token endpoint takes; log in with a password (ferry login, --creds)"
                )
            }
            return credentials.map(Self.basic)
        case "bearer":
            guard let realm = challenge.realm else { return nil }
            let key = tokenKey(realm: realm, service: challenge.service, scopes: scopes)
            let client = self
            let token = try await tokens.token(for: key) {
                try await client.fetchToken(realm: realm, service: challenge.service, scopes: scopes)
            }
            return "Bearer " + token
        default:
            return nil
        }
    }

    /// Takes a challenge from a 401 (or a 403 with `insufficient_scope`) and prepares the retry:
    /// remembers the scheme and, for Bearer, drops the refused token (`sent`, the `Authorization`
    /// the failed request carried) and fetches one covering the request's scopes and the
    /// challenge's. A token that expired or was revoked mid-run is renewed this way.
    /// - Returns: whether a retry can succeed.
    func adopt(_ challenge: AuthChallenge, requestScopes: [String], status: Int, sent: String?) async throws -> Bool {
        if status == 403, challenge.error != "insufficient_scope" { return false }
        let previous = await session.challenge
        await session.setChallenge(challenge)
        switch challenge.scheme {
        case "basic":
            // Worth a retry only when there are credentials and they were not just refused.
            return credentials != nil && previous?.scheme != "basic"
        case "bearer":
            guard let realm = challenge.realm else { return false }
            let requested = requestScopes
            var merged = requested
            for scope in challenge.scopes where !merged.contains(scope) { merged.append(scope) }
            let scopes = merged
            let key = tokenKey(realm: realm, service: challenge.service, scopes: requested)
            let refused = sent.flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst("Bearer ".count)) : nil }
            await tokens.invalidate(key, ifStill: refused)
            let client = self
            _ = try await tokens.token(for: key) {
                try await client.fetchToken(realm: realm, service: challenge.service, scopes: scopes)
            }
            return true
        default:
            return false
        }
    }

    /// The cache key of a token for `scopes` at `realm`, for this client's user.
    private func tokenKey(realm: String, service: String?, scopes: [String]) -> TokenCache.Key {
        TokenCache.Key(realm: realm, service: service ?? "", scopes: scopes.sorted(), user: credentials?.username)
    }

    /// `GET realm?service=…&scope=…` (formats.md §9.2), anonymously or with Basic credentials.
    ///
    /// The realm is the one the registry's own challenge named (challenges from other origins are
    /// never taken); credentials go to it only where ``CredentialBinding/refusal(ofRealm:)``
    /// allows. A token that an HTTP header cannot carry is refused without being printed.
    func fetchToken(realm: String, service: String?, scopes: [String]) async throws -> IssuedToken {
        if credentials != nil, let base = await session.baseURL,
            let refusal = CredentialBinding(registryBaseURL: base, tlsVerify: options.tlsVerify).refusal(ofRealm: realm)
        {
            throw RegistryError(.unauthorized, "\(registry): \(refusal); the credentials of user \"\(credentials?.username ?? "")\" were not sent", url: realm)
        }
        if let scheme = RegistryURL.scheme(of: realm), scheme != "http", scheme != "https" {
            throw RegistryError(
                .invalidResponse, "\(registry): the token realm \(RegistryURL.excerpt(realm)) has the scheme \(scheme):, not http or https", url: realm)
        }
        if let credentials, credentials.isIdentityToken {
            return try await fetchToken(realm: realm, service: service, scopes: scopes, identityToken: credentials.password)
        }
        var url = realm
        if let service { url = RegistryURL.appendingQuery(url, name: "service", value: service) }
        for scope in scopes { url = RegistryURL.appendingQuery(url, name: "scope", value: scope) }
        if let credentials { url = RegistryURL.appendingQuery(url, name: "account", value: credentials.username) }
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "User-Agent", value: Self.userAgent)
        if let credentials { request.headers.add(name: "Authorization", value: Self.basic(credentials)) }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, deadline: .now() + .seconds(60))
        } catch {
            throw RegistryError(.connection, "token request GET \(url)\(throughProxy(url)): \(describe(error, url: url))", method: "GET", url: url)
        }
        guard response.status == .ok else {
            let failure = await failure(response, method: .GET, url: url)
            throw RegistryError(
                .unauthorized, "token request for \(scopes.joined(separator: " ")) refused: \(failure.message)", method: "GET", url: url,
                status: failure.status, details: failure.details)
        }
        return try await issuedToken(response, realm: realm)
    }

    /// `POST realm` with the OAuth2 refresh-token grant (distribution's token spec, `oauth.md`):
    /// an identity token exchanged for a bearer token, as docker and containers/image do when the
    /// stored credentials are one. The form carries `grant_type=refresh_token`, `refresh_token`,
    /// `client_id`, `service` and each scope.
    private func fetchToken(realm: String, service: String?, scopes: [String], identityToken: String) async throws -> IssuedToken {
        var form: [(String, String)] = [("grant_type", "refresh_token"), ("refresh_token", identityToken), ("client_id", "ferry")]
        if let service { form.append(("service", service)) }
        for scope in scopes { form.append(("scope", scope)) }
        var request = HTTPClientRequest(url: realm)
        request.method = .POST
        request.headers.add(name: "User-Agent", value: Self.userAgent)
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: Self.formEncoded(form)))
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, deadline: .now() + .seconds(60))
        } catch {
            throw RegistryError(.connection, "token request POST \(realm)\(throughProxy(realm)): \(describe(error, url: realm))", method: "POST", url: realm)
        }
        guard response.status == .ok else {
            let failure = await failure(response, method: .POST, url: realm)
            throw RegistryError(
                .unauthorized, "token request with an identity token for \(scopes.joined(separator: " ")) refused: \(failure.message)", method: "POST",
                url: realm, status: failure.status, details: failure.details)
        }
        return try await issuedToken(response, realm: realm)
    }

    /// `application/x-www-form-urlencoded`: every byte but unreserved ones percent-encoded (a
    /// `+` in a token must not turn into a space).
    static func formEncoded(_ fields: [(String, String)]) -> String {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "" }
        return fields.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }

    /// The token in a token endpoint's answer, refused when it could not go in a header.
    private func issuedToken(_ response: HTTPClientResponse, realm: String) async throws -> IssuedToken {
        let body = try await readBody(response, limit: 1 << 20, context: "token from \(realm)")
        guard let decoded = try? JSONDecoder().decode(TokenResponse.self, from: Data(body)), let token = decoded.issued() else {
            throw RegistryError(.invalidResponse, "token from \(realm): the answer holds no token")
        }
        guard TokenResponse.isSendable(token.value) else {
            throw RegistryError(
                .invalidResponse,
                "token from \(realm): the token (\(token.value.utf8.count) bytes, not shown) holds characters an HTTP header cannot carry (control characters, spaces or non-ASCII); refused"
            )
        }
        return token
    }

    static func basic(_ credentials: Credentials) -> String {
        "Basic " + Data("\(credentials.username):\(credentials.password)".utf8).base64EncodedString()
    }

    /// The challenge to answer: Bearer when offered, else Basic.
    static func preferred(_ challenges: [AuthChallenge]) -> AuthChallenge? {
        challenges.first { $0.scheme == "bearer" } ?? challenges.first { $0.scheme == "basic" }
    }
}
