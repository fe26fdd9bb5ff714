import AsyncHTTPClient
import FerrySpec
import NIOCore
import NIOHTTP1

extension RegistryClient {
    /// Checks that the registry speaks the distribution API (`GET /v2/`), choosing the scheme
    /// (see ``RegistryOptions``) and learning how it wants to be authenticated.
    /// - Throws: ``RegistryError`` naming every URL tried and why it failed.
    public func ping() async throws {
        _ = try await baseURL()
    }

    /// `scheme://host[:port]`, found by the first ping and remembered; requests started together
    /// share one ping.
    func baseURL() async throws -> String {
        if let known = await session.baseURL { return known }
        let client = self
        let ping = await session.sharedPing { try await client.discoverBaseURL() }
        do {
            return try await ping.value
        } catch {
            await session.forgetPing()
            throw error
        }
    }

    /// Pings each candidate scheme (`GET /v2/`) until one answers as a registry.
    private func discoverBaseURL() async throws -> String {
        var failures: [PingFailure] = []
        for scheme in candidateSchemes {
            let base = "\(scheme)://\(host)"
            var attempt = 0
            while true {
                attempt += 1
                var request = HTTPClientRequest(url: base + "/v2/")
                request.headers.add(name: "User-Agent", value: Self.userAgent)
                do {
                    let response = try await http.execute(request, deadline: .now() + .seconds(30))
                    await Self.discard(response)
                    let status = Int(response.status.code)
                    switch status {
                    case 200:
                        await session.setBaseURL(base)
                        return base
                    case 401:
                        if let challenge = Self.preferred(AuthChallenge.parse(response.headers["WWW-Authenticate"])) {
                            await session.setChallenge(challenge)
                        }
                        await session.setBaseURL(base)
                        return base
                    case 404:
                        failures.append(PingFailure(scheme: scheme, reason: "404, not a registry (no /v2/ API)"))
                    case 501:
                        failures.append(PingFailure(scheme: scheme, reason: "501 \(response.status.reasonPhrase)"))
                    case _ where RetryRule.isTransient(status: status):
                        // Busy or briefly broken: the same answer as for any other request.
                        if attempt < options.retry.maximumAttempts {
                            let retryAfter = RetryRule.retryAfter(response.headers.first(name: "Retry-After"))
                            try await Task.sleep(for: options.retry.delay(afterAttempt: attempt, retryAfter: retryAfter))
                            continue
                        }
                        failures.append(PingFailure(scheme: scheme, reason: "\(status) \(response.status.reasonPhrase)"))
                    default:
                        failures.append(PingFailure(scheme: scheme, reason: "\(status) \(response.status.reasonPhrase)"))
                    }
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    failures.append(PingFailure(scheme: scheme, reason: "\(describe(error, url: base))\(throughProxy(base))"))
                }
                break
            }
        }
        throw RegistryError(
            .connection, "cannot reach registry \(registry): \(PingFailure.sentence(failures))", method: "GET",
            url: "\(candidateSchemes.last ?? "https")://\(host)/v2/")
    }

    /// The URL of `/v2/<repository>/<suffix>`.
    func endpoint(_ repository: String, _ suffix: String) async throws -> String {
        try await baseURL() + "/v2/" + repository + "/" + suffix
    }
}

extension RegistryClient {
    /// Checks that the registry accepts this client's credentials: pings, and when the registry
    /// asks for authentication, sends an authenticated `GET /v2/` (Basic) or fetches a token
    /// (Bearer).
    /// - Throws: ``RegistryError`` (`unauthorized`) when they are refused.
    public func checkCredentials() async throws {
        let base = try await baseURL()
        guard let challenge = await session.challenge else { return }
        if challenge.scheme == "bearer", let realm = challenge.realm {
            _ = try await fetchToken(realm: realm, service: challenge.service, scopes: [])
            return
        }
        let response = try await send(RegistryRequest(method: .GET, url: base + "/v2/", scope: nil, expected: [200]))
        await Self.discard(response)
    }
}

/// Why `GET /v2/` over one scheme found no registry.
struct PingFailure: Equatable {
    /// `https` or `http`.
    var scheme: String
    /// What went wrong, in a few words.
    var reason: String

    /// The failures of every scheme tried as one clause: the reason once when every scheme failed
    /// alike (`connection refused (…), over https and http`), else each scheme with its own.
    static func sentence(_ failures: [PingFailure]) -> String {
        let schemes = failures.map(\.scheme).joined(separator: " and ")
        if let first = failures.first, failures.allSatisfy({ $0.reason == first.reason }) {
            return "\(first.reason), over \(schemes)"
        }
        return failures.map { "over \($0.scheme), \($0.reason)" }.joined(separator: "; ")
    }
}
