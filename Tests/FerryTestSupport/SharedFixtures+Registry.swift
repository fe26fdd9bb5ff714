import Foundation

/// The registry with basic auth over TLS that Scripts/test starts (`start_auth_registry`).
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
    /// The basic-auth TLS registry from `$FERRY_TEST_REGISTRY_AUTH`, `…_USER`, `…_PASSWORD` and
    /// `…_CA`, or `nil` when Scripts/test did not start one.
    public static var testAuthRegistry: TestAuthRegistry? {
        let environment = ProcessInfo.processInfo.environment
        guard let host = environment["FERRY_TEST_REGISTRY_AUTH"], !host.isEmpty,
              let user = environment["FERRY_TEST_REGISTRY_USER"], let password = environment["FERRY_TEST_REGISTRY_PASSWORD"],
              let ca = environment["FERRY_TEST_REGISTRY_CA"], !ca.isEmpty else { return nil }
        return TestAuthRegistry(host: host, username: user, password: password, caFile: ca)
    }

    /// A fresh repository name for one test, so tests sharing a registry never collide.
    public static func uniqueRepository(_ prefix: String) -> String {
        "ferry-test/\(prefix)-\(UUID().uuidString.lowercased().prefix(12))"
    }
}

/// The registry with `auth: token` and its token server that Scripts/test starts
/// (`start_token_registry`, Tests/Support/token-server.py).
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
    /// The token-auth registry from `$FERRY_TEST_REGISTRY_TOKEN`, `…_TOKEN_USER` and
    /// `…_TOKEN_PASSWORD`, or `nil` when Scripts/test did not start one.
    public static var testTokenRegistry: TestTokenRegistry? {
        let environment = ProcessInfo.processInfo.environment
        guard let host = environment["FERRY_TEST_REGISTRY_TOKEN"], !host.isEmpty,
              let user = environment["FERRY_TEST_REGISTRY_TOKEN_USER"], !user.isEmpty,
              let password = environment["FERRY_TEST_REGISTRY_TOKEN_PASSWORD"] else { return nil }
        return TestTokenRegistry(host: host, username: user, password: password)
    }
}
