import Foundation

/// The body of a token endpoint's answer (formats.md §9.2): `token` and/or `access_token`
/// (`token` preferred), `expires_in` seconds (default 60).
struct TokenResponse: Decodable {
    var token: String?
    var accessToken: String?
    var expiresIn: Int?

    enum CodingKeys: String, CodingKey {
        case token
        case accessToken = "access_token"
        case expiresIn = "expires_in"
    }

    /// The token to send, if the answer held one.
    var bearer: String? {
        if let token, !token.isEmpty { return token }
        if let accessToken, !accessToken.isEmpty { return accessToken }
        return nil
    }

    /// How long the token lives.
    var lifetime: Duration { .seconds(max(60, expiresIn ?? 60)) }
}
