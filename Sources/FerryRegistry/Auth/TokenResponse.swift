import Foundation

/// The body of a token endpoint's answer (formats.md §9.2): `token` and/or `access_token`
/// (`token` preferred), `expires_in` seconds (default 60), `issued_at` (RFC 3339).
struct TokenResponse: Decodable {
    var token: String?
    var accessToken: String?
    var expiresIn: Int?
    var issuedAt: String?

    enum CodingKeys: String, CodingKey {
        case token
        case accessToken = "access_token"
        case expiresIn = "expires_in"
        case issuedAt = "issued_at"
    }

    /// The token to send, if the answer held one.
    var bearer: String? {
        if let token, !token.isEmpty { return token }
        if let accessToken, !accessToken.isEmpty { return accessToken }
        return nil
    }

    /// Whether `token` can go in an `Authorization: Bearer` header as it is: visible ASCII only
    /// (RFC 6750's b64token and everything JWTs use), nothing that would end or split a header.
    static func isSendable(_ token: String) -> Bool {
        !token.isEmpty && token.utf8.allSatisfy { (0x21...0x7e).contains($0) }
    }

    /// The token with the time it has left, counted from `now` (see ``IssuedToken/remaining(expiresIn:issuedAt:now:)``).
    func issued(now: Date = Date()) -> IssuedToken? {
        guard let bearer else { return nil }
        let issued = issuedAt.flatMap(IssuedToken.parseTimestamp)
        return IssuedToken(value: bearer, lifetime: IssuedToken.remaining(expiresIn: expiresIn, issuedAt: issued, now: now))
    }
}

/// A bearer token and how long it stays valid from the moment it was received.
struct IssuedToken: Sendable, Equatable {
    /// The token.
    var value: String
    /// Its validity left when it was received.
    var lifetime: Duration

    /// The validity left of a token: `expires_in` seconds (60 when absent, at least 1, at most
    /// ``longestLifetime``) counted from `issued_at` when the server sent one, else from `now`.
    ///
    /// Shorter lifetimes than 60 s are honoured, not stretched to 60 as docker does: renewing
    /// early costs one token request, using an expired token costs a refused request, and a
    /// streamed upload cannot be sent again. An `issued_at` in the future or older than the
    /// lifetime is a clock disagreement with the server and is ignored.
    static func remaining(expiresIn: Int?, issuedAt: Date?, now: Date) -> Duration {
        let lifetime = Double(min(max(1, expiresIn ?? 60), longestLifetime))
        guard let issuedAt else { return .seconds(lifetime) }
        let age = now.timeIntervalSince(issuedAt)
        guard age >= 0, age < lifetime else { return .seconds(lifetime) }
        return .milliseconds(Int64(((lifetime - age) * 1000).rounded(.down)))
    }

    /// The longest lifetime believed (a day, in seconds): a longer `expires_in` (up to 2^63 − 1
    /// from a hostile server) only means the token is renewed sooner than it had to be.
    static let longestLifetime = 86_400

    /// How long before its end a token is renewed: a quarter of its lifetime, at most 10 s.
    static func renewalMargin(lifetime: Duration) -> Duration {
        min(.seconds(10), lifetime / 4)
    }

    /// Parses RFC 3339 with or without fractional seconds (``RFC3339``).
    static func parseTimestamp(_ text: String) -> Date? {
        RFC3339.parse(text)
    }
}
