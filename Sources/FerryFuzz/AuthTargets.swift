import Foundation
@testable import FerryRegistry

/// What a registry's authentication answers: `WWW-Authenticate` challenges and the token
/// endpoint's JSON.
enum AuthTargets {
    /// The input as header values (one per line), parsed and answered as the client answers them.
    @Sendable static func challenge(_ input: [UInt8]) {
        let values = String(decoding: input, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let challenges = AuthChallenge.parse(values)
        for challenge in challenges {
            _ = challenge.scopes
            _ = challenge.error
        }
        _ = RegistryClient.preferred(challenges)
    }

    /// A token endpoint's body, decoded and turned into a token with its lifetime as the client
    /// does (RegistryClient+Auth), at a fixed `now` so runs repeat.
    @Sendable static func tokenResponse(_ input: [UInt8]) {
        guard let decoded = try? JSONDecoder().decode(TokenResponse.self, from: Data(input)) else { return }
        guard let token = decoded.issued(now: Date(timeIntervalSince1970: 1_750_000_000)) else { return }
        _ = TokenResponse.isSendable(token.value)
        _ = IssuedToken.renewalMargin(lifetime: token.lifetime)
    }
}
