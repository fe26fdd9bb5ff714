import Foundation

/// The registry with basic auth over TLS (``TestServices/authRegistry``).
public struct TestAuthRegistry: Sendable {
    /// `127.0.0.1:PORT`.
    public var host: String
    /// The user its htpasswd file holds.
    public var username: String
    /// That user's password.
    public var password: String
    /// The CA certificate that signed its server certificate.
    public var caFile: String
    /// The directory holding only ``caFile`` (usable as `--cert-dir`).
    public var certificateDirectory: String { (caFile as NSString).deletingLastPathComponent }

    /// Describes a running registry.
    public init(host: String, username: String, password: String, caFile: String) {
        self.host = host
        self.username = username
        self.password = password
        self.caFile = caFile
    }
}

extension SharedFixtures {
    /// The basic-auth TLS registry, started on first use (``TestServices/authRegistry``), or
    /// `nil` when it cannot start.
    public static var testAuthRegistry: TestAuthRegistry? { TestServices.authRegistry }

    /// A fresh repository name for one test, so tests sharing a registry never collide.
    public static func uniqueRepository(_ prefix: String) -> String {
        "ferry-test/\(prefix)-\(UUID().uuidString.lowercased().prefix(12))"
    }
}

/// The registry with `auth: token` and its token server (Tests/Support/token-server.py), see
/// ``TestServices/tokenRegistry``.
public struct TestTokenRegistry: Sendable {
    /// `127.0.0.1:PORT` of the registry (plain HTTP).
    public var host: String
    /// The user the token server accepts; `USER-expired-…` and `USER-narrow-…` are accepted too
    /// and get a bad second token (expired, or granting nothing).
    public var username: String
    /// The password of every user the token server accepts.
    public var password: String

    /// Describes a running registry.
    public init(host: String, username: String, password: String) {
        self.host = host
        self.username = username
        self.password = password
    }
}

extension SharedFixtures {
    /// The token-auth registry, started on first use (``TestServices/tokenRegistry``), or `nil`
    /// when it cannot start.
    public static var testTokenRegistry: TestTokenRegistry? { TestServices.tokenRegistry }
}
