/// Where a registry's credentials may go: the rule every request and token fetch follows.
///
/// Credentials — the user's password, and the tokens bought with it — are bound to the
/// registry's origin (scheme, host, port) and to the token realm that registry's own challenge
/// named, over TLS unless the realm is this machine:
/// - a request carries `Authorization` only when its URL has the registry's origin; a redirect,
///   pagination link or upload `Location` on any other origin (another host or port, or `http`
///   where the registry is `https`) is followed without it, as docker's and containers/image's
///   clients do;
/// - a challenge (`WWW-Authenticate`) is taken only from the registry's origin, so another server
///   cannot name a realm that receives the password;
/// - the password goes to a token realm only over HTTPS, or over plain HTTP when the realm is a
///   loopback host or the user turned TLS verification off for this registry.
public struct CredentialBinding: Sendable, Hashable {
    /// `scheme://host[:port]` of the registry (``RegistryURL/origin(_:)``).
    public let registryOrigin: String
    /// Whether TLS verification is on for this registry (`--tls-verify`).
    public let tlsVerify: Bool

    /// The rule for the registry found at `registryBaseURL` (`scheme://host[:port]`).
    public init(registryBaseURL: String, tlsVerify: Bool) {
        registryOrigin = RegistryURL.origin(registryBaseURL)
        self.tlsVerify = tlsVerify
    }

    /// Whether a request to `url` may carry the registry's credentials or tokens, and whether a
    /// challenge in its answer may be taken.
    public func authorizes(_ url: String) -> Bool {
        RegistryURL.origin(url) == registryOrigin
    }

    /// Why the user's credentials may not be sent to the token realm `realm`, or `nil` when they
    /// may.
    public func refusal(ofRealm realm: String) -> String? {
        switch RegistryURL.scheme(of: realm) {
        case "https":
            return nil
        case "http":
            if RegistryURL.isLoopback(host: RegistryURL.host(realm)) || !tlsVerify { return nil }
            return
                "the token realm \(realm) is plain HTTP on another machine, so the password would cross the network in clear; Ferry sends credentials to a realm only over HTTPS (or pass --tls-verify=false for this registry to allow it)"
        case let scheme?:
            return "the token realm \(RegistryURL.excerpt(realm)) has the scheme \(scheme):, not https"
        case nil:
            return "the token realm \(RegistryURL.excerpt(realm)) is not an absolute http(s) URL"
        }
    }
}
