import Foundation
import FerryEngine
import FerryRegistry
import FerrySpec
import FerryTestSupport
import FerryTransports
import Testing

/// The token registry of TestServices: `auth: token` with Tests/Support/token-server.py.
@Suite(.needs(.tokenRegistry), .enabled(if: ExternalTool.gzipAvailable, "gzip missing"))
struct TokenRegistryTests {
    let registry = SharedFixtures.testTokenRegistry ?? TestTokenRegistry(host: "", username: "", password: "")

    private func options(user: String? = nil) -> RegistryOptions {
        RegistryOptions(credentials: Credentials(username: user ?? registry.username, password: registry.password), useCredentialFiles: false)
    }

    /// Pushes image `v1` to a fresh repository with the plain user and returns the repository.
    private func seed(_ dir: String, seed: UInt64) async throws -> (String, TestImageBuilder.Summary) {
        let summary = try await buildLayout(dir + "/src", seed: seed)
        let repository = SharedFixtures.uniqueRepository("token")
        try await push(layout: dir + "/src", name: "v1", to: registry.host, repository: repository, tag: "v1", options: options())
        return (repository, summary)
    }

    @Test func pushAndPullWithBearerTokens() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await buildLayout(dir + "/src", seed: 601)
            let repository = SharedFixtures.uniqueRepository("token")
            let pushed = try await push(layout: dir + "/src", name: "multi", to: registry.host, repository: repository, tag: "multi", options: options())
            #expect(pushed.entries.first?.descriptor.digest == summary["multi"]?.digest)
            let pulled = try await pull(registry.host, repository: repository, tag: "multi", into: dir + "/back", options: options())
            #expect(pulled.entries.first?.descriptor.digest == summary["multi"]?.digest)
            let tags = try await withRegistryClient(registry.host, options: options()) { client in
                try await client.tags(repository)
            }
            #expect(tags == ["multi"])
        }
    }

    @Test func anonymousPullIsRefusedClearly() async throws {
        try await withTemporaryDirectory { dir in
            let (repository, _) = try await seed(dir, seed: 602)
            let error = await #expect(throws: RegistryError.self) {
                try await pull(registry.host, repository: repository, tag: "v1", into: dir + "/back", options: RegistryOptions(useCredentialFiles: false))
            }
            #expect(error?.code == .unauthorized)
            #expect(error?.status == 401)
            #expect(error?.message.contains("--creds") == true)
            #expect(!FileManager.default.fileExists(atPath: dir + "/back/index.json"))
        }
    }

    @Test func wrongPasswordAtTheTokenServerIsAClearError() async throws {
        let options = RegistryOptions(credentials: Credentials(username: registry.username, password: "wrong"), useCredentialFiles: false)
        let error = await #expect(throws: RegistryError.self) {
            try await withRegistryClient(registry.host, options: options) { client in
                _ = try await client.tags("ferry-test/none")
            }
        }
        #expect(error?.code == .unauthorized)
        #expect(error?.message.contains("token request") == true)
    }

    /// The token server's second token for a `-narrow-` user grants no actions: the registry
    /// answers `insufficient_scope` and Ferry must fetch a token that covers the request.
    @Test func tokenWithInsufficientScopeIsRefetched() async throws {
        try await withTemporaryDirectory { dir in
            let (repository, summary) = try await seed(dir, seed: 603)
            let user = "\(registry.username)-narrow-\(UUID().uuidString.lowercased().prefix(8))"
            try await withRegistryClient(registry.host, options: options(user: user)) { client in
                // First token (good); another repository needs another scope: the bad token,
                // refused with insufficient_scope, then a fresh one.
                #expect(try await client.tags(repository) == ["v1"])
                #expect(try await client.manifestDescriptor(repository + "-other", .tag("v1")) == nil)
                let document = try await client.manifest(repository, .digest(summary["v1"]!.digest))
                #expect(document.digest == summary["v1"]?.digest)
            }
            let pulled = try await pull(registry.host, repository: repository, tag: "v1", into: dir + "/back", options: options(user: user))
            #expect(pulled.entries.first?.descriptor.digest == summary["v1"]?.digest)
        }
    }

    /// The token server's second token for an `-expired-` user expired long ago: the registry
    /// answers `invalid_token` and Ferry must fetch a fresh one.
    @Test func expiredTokenIsRefetched() async throws {
        try await withTemporaryDirectory { dir in
            let (repository, summary) = try await seed(dir, seed: 604)
            let user = "\(registry.username)-expired-\(UUID().uuidString.lowercased().prefix(8))"
            try await withRegistryClient(registry.host, options: options(user: user)) { client in
                #expect(try await client.tags(repository) == ["v1"])
                #expect(try await client.manifestDescriptor(repository + "-other", .tag("v1")) == nil)
                let document = try await client.manifest(repository, .digest(summary["v1"]!.digest))
                #expect(document.digest == summary["v1"]?.digest)
            }
        }
    }

    /// A copy between two repositories of the token registry mounts every blob: the mount's
    /// token asks for `pull` on the source too, which distribution checks.
    @Test func sameRegistryCopyMountsWithATokenCoveringTheSource() async throws {
        try await withTemporaryDirectory { dir in
            let (repository, summary) = try await seed(dir, seed: 605)
            let target = SharedFixtures.uniqueRepository("token-mounted")
            let from = TransportReference(docker: try Reference(parsing: "\(registry.host)/\(repository):v1"))
            let to = TransportReference(docker: try Reference(parsing: "\(registry.host)/\(target):v1"))
            let report = try await from.withSource(registry: options()) { source in
                try await to.withDestination(registry: options(), mountingFrom: from) { destination in
                    try await CopyOperation(source: source, destination: destination).run()
                }
            }
            #expect(report.blobsCopied == 0, "every blob mounted")
            #expect(report.blobsSkipped == 1 + (summary["v1"]?.images.first?.layerDigests.count ?? 0))
            let pulled = try await pull(registry.host, repository: target, tag: "v1", into: dir + "/back", options: options())
            #expect(pulled.entries.first?.descriptor.digest == summary["v1"]?.digest)
        }
    }

    /// The catalog needs the `registry:catalog:*` scope.
    @Test func catalogWithBearerTokens() async throws {
        try await withTemporaryDirectory { dir in
            let (repository, _) = try await seed(dir, seed: 606)
            let listed = try await withRegistryClient(registry.host, options: options()) { client in
                try await client.catalog(pageSize: 50)
            }
            #expect(listed.contains(repository), "\(listed)")
        }
    }
}
