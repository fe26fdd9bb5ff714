import AsyncHTTPClient
import Foundation
import FerrySpec
import FerryStreams
import NIOCore
import NIOHTTP1
import NIOSSL

extension RegistryClient {
    /// The user agent sent with every request.
    static let userAgent = "ferry/0.1"
    /// How long one request may take in all, body included (large layers over slow links).
    static let requestDeadline = TimeAmount.hours(12)

    /// Sends `request`, answering authentication challenges once, retrying transient failures
    /// (``RetryPolicy``), and following redirects when asked.
    ///
    /// Credentials follow ``CredentialBinding``: `Authorization` goes only to the registry's own
    /// origin, and only a challenge from that origin is answered, whatever URL the request (an
    /// upload `Location`, a pagination link) or a redirect points at.
    ///
    /// - Returns: the response, whose status is one of `request.expected`; its body is unread.
    /// - Throws: ``RegistryError`` with the method, URL, status and the registry's error codes, or
    ///   the body stream's own error when that is what stopped an upload.
    func send(_ request: RegistryRequest) async throws -> HTTPClientResponse {
        var url = request.url
        var attempt = 0
        var answeredChallenge = false
        var redirects = 0
        let binding = await credentialBinding()
        while true {
            attempt += 1
            try Task.checkCancellation()
            let trusted = binding?.authorizes(url) == true
            var http = HTTPClientRequest(url: url)
            http.method = request.method
            http.headers = request.headers
            http.headers.replaceOrAdd(name: "User-Agent", value: Self.userAgent)
            var sentAuthorization: String?
            if trusted, let authorization = try await authorization(scopes: request.scopes) {
                http.headers.replaceOrAdd(name: "Authorization", value: authorization)
                sentAuthorization = authorization
            }
            switch request.body {
            case .none:
                if [HTTPMethod.POST, .PUT, .PATCH].contains(request.method) { http.headers.replaceOrAdd(name: "Content-Length", value: "0") }
            case .bytes(let bytes):
                http.body = .bytes(ByteBuffer(bytes: bytes))
            case .stream(let body):
                http.body = body
            }

            let response: HTTPClientResponse
            do {
                response = try await self.http.execute(http, deadline: .now() + Self.requestDeadline)
            } catch {
                if error is StreamError || error is CancellationError { throw error }
                if let error = error as? HTTPClientError, error == .cancelled { throw CancellationError() }
                if request.retriesFailures, request.body.isReplayable, attempt < options.retry.maximumAttempts, Self.isTransient(error) {
                    try await Task.sleep(for: options.retry.delay(afterAttempt: attempt))
                    continue
                }
                throw RegistryError(
                    .connection, "\(request.method) \(url)\(throughProxy(url)): \(describe(error, url: url))", method: request.method.rawValue, url: url)
            }
            let status = Int(response.status.code)
            if request.expected.contains(status) { return response }

            if request.followsRedirects, [301, 302, 303, 307, 308].contains(status),
                let location = response.headers.first(name: "Location"), redirects < 5
            {
                await Self.discard(response)
                redirects += 1
                url = try RegistryURL.follow(location, against: url, what: "the redirect Location")
                attempt = 0
                continue
            }

            // Only the registry's own origin may ask for (and so receive) the credentials.
            if trusted, (status == 401 || status == 403), !answeredChallenge, request.body.isReplayable {
                let challenges = AuthChallenge.parse(response.headers["WWW-Authenticate"])
                if let challenge = Self.preferred(challenges),
                    try await adopt(challenge, requestScopes: request.scopes, status: status, sent: sentAuthorization)
                {
                    await Self.discard(response)
                    answeredChallenge = true
                    attempt -= 1
                    continue
                }
            }

            if request.retriesFailures, request.body.isReplayable, attempt < options.retry.maximumAttempts, RetryRule.isTransient(status: status) {
                let retryAfter = RetryRule.retryAfter(response.headers.first(name: "Retry-After"))
                await Self.discard(response)
                try await Task.sleep(for: options.retry.delay(afterAttempt: attempt, retryAfter: retryAfter))
                continue
            }
            throw await failure(response, method: request.method, url: url, sentAuthorization: sentAuthorization != nil, trusted: trusted)
        }
    }

    /// The rule that binds credentials to this registry (``CredentialBinding``), once its scheme
    /// is known (after the first ping); `nil` before, when nothing may carry credentials.
    func credentialBinding() async -> CredentialBinding? {
        await session.baseURL.map { CredentialBinding(registryBaseURL: $0, tlsVerify: options.tlsVerify) }
    }

    /// The error for an unexpected answer, with the registry's JSON error body decoded.
    /// - Parameters:
    ///   - sentAuthorization: whether the request carried `Authorization`.
    ///   - trusted: whether `url` is on the registry's origin (else the answer is another
    ///     server's, such as a redirect target's).
    func failure(_ response: HTTPClientResponse, method: HTTPMethod, url: String, sentAuthorization: Bool = false, trusted: Bool = true) async -> RegistryError
    {
        let status = Int(response.status.code)
        var body: [UInt8] = []
        if method != .HEAD, let buffer = try? await response.body.collect(upTo: ErrorBody.limit) {
            body = Array(buffer.readableBytesView)
        }
        let details = ErrorBody.details(body)
        var message = "\(method) \(url): \(status) \(response.status.reasonPhrase)"
        if !details.isEmpty {
            message += " — " + details.map { $0.message.isEmpty ? $0.code : "\($0.code): \($0.message)" }.joined(separator: "; ")
        } else if !body.isEmpty {
            message += " — " + ErrorBody.excerpt(body)
        }
        let code: RegistryError.Code
        switch status {
        case 401, 403:
            code = .unauthorized
            if status == 401 {
                message += Self.unauthorizedHint(
                    registry: registry, user: credentials?.username, sentAuthorization: sentAuthorization, trusted: trusted, origin: RegistryURL.origin(url))
            }
        case 404: code = .notFound
        default: code = .httpStatus
        }
        return RegistryError(
            code, message, method: method.rawValue, url: url, status: status, details: details,
            retryAfter: RetryRule.retryAfter(response.headers.first(name: "Retry-After")))
    }

    /// What a 401 means, for its message: credentials refused only when some were sent.
    static func unauthorizedHint(registry: String, user: String?, sentAuthorization: Bool, trusted: Bool, origin: String) -> String {
        if !trusted {
            return
                "; \(origin) is not the registry \(registry) and asks for authentication of its own: Ferry sends the registry's credentials to no other server, so it got none"
        }
        if sentAuthorization, let user {
            return "; the registry refused the credentials of user \"\(user)\""
        }
        if sentAuthorization {
            return
                "; the registry refused the anonymous token it issued: no credentials for \(registry): pass --creds USER:PASSWORD or run `ferry login \(registry)`"
        }
        if let user {
            return
                "; the registry asked for authentication in a way Ferry could not answer with the credentials of user \"\(user)\" (none were sent with this request)"
        }
        return "; no credentials for \(registry): pass --creds USER:PASSWORD or run `ferry login \(registry)`"
    }

    /// Reads a small body whole, refusing more than `limit` bytes and cutting off a body that
    /// arrives slower than ``RegistryOptions/lowSpeed``.
    func readBody(_ response: HTTPClientResponse, limit: Int, context: String) async throws -> [UInt8] {
        if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > limit {
            throw RegistryError(.invalidResponse, "\(context): \(length) bytes is over the \(limit)-byte limit")
        }
        var body: [UInt8] = []
        var watch = ThroughputWatch(options.lowSpeed)
        do {
            for try await buffer in response.body {
                guard body.count + buffer.readableBytes <= limit else {
                    throw RegistryError(.invalidResponse, "\(context): more than the \(limit)-byte limit")
                }
                body += buffer.readableBytesView
                if let received = watch.record(buffer.readableBytes) {
                    throw RegistryError(.connection, "\(context): \(watch.complaint(received: received))")
                }
            }
        } catch let error as RegistryError {
            throw error
        } catch {
            throw RegistryError(.connection, "\(context): the body broke off: \(Self.describe(error))")
        }
        return body
    }

    /// Reads and drops what is left of a body so the connection can be reused.
    static func discard(_ response: HTTPClientResponse) async {
        _ = try? await response.body.collect(upTo: ErrorBody.limit)
    }

    /// Whether a failed connection is worth another try: not TLS (certificates do not fix
    /// themselves), not a malformed URL. The connection half of ``RetryRule``, which knows
    /// nothing of HTTP clients.
    static func isTransient(_ error: any Error) -> Bool {
        if error is NIOSSLError || error is NIOSSLExtraError { return false }
        if let error = error as? HTTPClientError {
            return error != .invalidURL && error != .emptyHost && error != .emptyScheme
        }
        return true
    }

    /// ` (through proxy http://host:port)` when a request to `url` goes through a proxy, else "".
    func throughProxy(_ url: String) -> String {
        http.proxies.proxy(for: url).map { " (through proxy \($0))" } ?? ""
    }

    /// ``describe(_:)`` for a request to `url`, with a hint when an HTTPS server closed the
    /// connection on a client that presents no certificate: a registry requiring mutual TLS
    /// often says no more than that (the TLS 1.3 alert arrives after the request was written).
    func describe(_ error: any Error, url: String) -> String {
        let text = Self.describe(error)
        guard !presentsClientCertificate, url.lowercased().hasPrefix("https://") else { return text }
        let closed = (error as? HTTPClientError) == .remoteConnectionClosed || (error as? NIOSSLError) == .uncleanShutdown
        guard closed else { return text }
        return text
            + " (the server closed the TLS connection; if it requires a client certificate — mutual TLS — pass --cert-dir DIR holding client.cert and client.key, or --client-cert FILE --client-key FILE)"
    }

    /// A sentence for a connection-level error, with a hint for certificate failures.
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError, error == .readTimeout {
            return "the server sent nothing within the low-speed window (FERRY_LOW_SPEED_TIME)"
        }
        if let error = error as? HTTPClientError, error == .connectTimeout {
            return "the connection could not be opened within 30 s"
        }
        if let socket = SocketFailure.phrase(error) { return socket }
        let text = String(describing: error)
        // TLS 1.3 servers check the client certificate after the handshake and answer a missing
        // one with alert 116 (certificate_required); TLS 1.2 ones fail the handshake instead.
        let lower = text.lowercased()
        if lower.contains("certificate required") || lower.contains("certificate_required")
            || lower.contains("peer did not return a certificate") || lower.contains("handshake failure") && lower.contains("alert")
        {
            return
                "TLS failure (\(text)): the registry asks for a client certificate (mutual TLS); pass --cert-dir DIR holding client.cert and client.key, or --client-cert FILE --client-key FILE"
        }
        if error is NIOSSLError || error is NIOSSLExtraError || text.contains("CERTIFICATE_VERIFY_FAILED") {
            return
                "TLS failure (\(text)); if the registry's certificate comes from a private CA, pass --cert-dir DIR holding its ca.crt, or --tls-verify=false to skip verification"
        }
        return text
    }
}
