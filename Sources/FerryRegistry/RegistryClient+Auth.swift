import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

extension RegistryClient {
    /// The `Authorization` value for a request needing `scopes`, or `nil` before any challenge
    /// (requests go out anonymously until the registry asks).
    func authorization(scopes: [String], refresh: Bool) async throws -> String? {
        guard let challenge = await session.challenge else { return nil }
        switch challenge.scheme {
        case "basic":
            return credentials.map(Self.basic)
        case "bearer":
            guard let realm = challenge.realm else { return nil }
            let key = TokenCache.Key(realm: realm, service: challenge.service ?? "", scopes: scopes.sorted(), user: credentials?.username)
            if !refresh, let token = await tokens.token(for: key) { return "Bearer " + token }
            let (token, lifetime) = try await fetchToken(realm: realm, service: challenge.service, scopes: scopes)
            await tokens.store(token, for: key, lifetime: lifetime)
            return "Bearer " + token
        default:
            return nil
        }
    }

    /// Takes a challenge from a 401 (or a 403 with `insufficient_scope`) and prepares the retry:
    /// remembers the scheme and, for Bearer, fetches a fresh token covering the request's scope and
    /// the challenge's. - Returns: whether a retry can succeed.
    func adopt(_ challenge: AuthChallenge, requestScopes: [String], status: Int) async throws -> Bool {
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
            var scopes = requested
            for scope in challenge.scopes where !scopes.contains(scope) { scopes.append(scope) }
            let (token, lifetime) = try await fetchToken(realm: realm, service: challenge.service, scopes: scopes)
            let key = TokenCache.Key(realm: realm, service: challenge.service ?? "", scopes: requested.sorted(), user: credentials?.username)
            await tokens.store(token, for: key, lifetime: lifetime)
            return true
        default:
            return false
        }
    }

    /// `GET realm?service=…&scope=…` (formats.md §9.2), anonymously or with Basic credentials.
    func fetchToken(realm: String, service: String?, scopes: [String]) async throws -> (String, Duration) {
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
            throw RegistryError(.connection, "token request GET \(url): \(Self.describe(error))", method: "GET", url: url)
        }
        guard response.status == .ok else {
            let failure = await failure(response, method: .GET, url: url)
            throw RegistryError(.unauthorized, "token request for \(scopes.joined(separator: " ")) refused: \(failure.message)", method: "GET", url: url, status: failure.status, details: failure.details)
        }
        let body = try await readBody(response, limit: 1 << 20, context: "token from \(realm)")
        guard let decoded = try? JSONDecoder().decode(TokenResponse.self, from: Data(body)), let token = decoded.bearer else {
            throw RegistryError(.invalidResponse, "token from \(realm): the answer holds no token")
        }
        return (token, decoded.lifetime)
    }

    static func basic(_ credentials: Credentials) -> String {
        "Basic " + Data("\(credentials.username):\(credentials.password)".utf8).base64EncodedString()
    }

    /// The challenge to answer: Bearer when offered, else Basic.
    static func preferred(_ challenges: [AuthChallenge]) -> AuthChallenge? {
        challenges.first { $0.scheme == "bearer" } ?? challenges.first { $0.scheme == "basic" }
    }
}
