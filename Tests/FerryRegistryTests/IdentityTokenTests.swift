import Foundation
import FerryEngine
import FerryRegistry
import FerrySpec
import FerryTestSupport
import Testing

/// Identity tokens (OAuth2 refresh tokens), as `docker login` leaves them for registries that
/// issue them: `identitytoken` in an auth file, or a credential helper's `<token>` user. Ferry
/// exchanges one for bearer tokens with `POST realm` (grant_type=refresh_token); the token
/// server of TestServices takes `identity-PASSWORD` and issues tokens to `USER-identity`.
@Suite(.needs(.tokenRegistry), .needs(.authRegistry), .enabled(if: ExternalTool.gzipAvailable, "gzip missing"))
struct IdentityTokenTests {
    let registry = SharedFixtures.testTokenRegistry ?? TestTokenRegistry(host: "", username: "", password: "")
    let auth = SharedFixtures.testAuthRegistry ?? TestAuthRegistry(host: "", username: "", password: "", caFile: "")
    var ferry: String { SharedFixtures.builtFerry ?? "" }

    private func options(_ credentials: Credentials) -> RegistryOptions {
        RegistryOptions(credentials: credentials, useCredentialFiles: false)
    }

    @Test func identityTokenPushesAndPulls() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await buildLayout(dir + "/src", seed: 2201)
            let repository = SharedFixtures.uniqueRepository("identity")
            let identity = options(.identityToken("identity-\(registry.password)"))
            let before = try await TestServices.tokensIssued(to: "\(registry.username)-identity")
            try await push(layout: dir + "/src", name: "v1", to: registry.host, repository: repository, tag: "v1", options: identity)
            let pulled = try await pull(registry.host, repository: repository, tag: "v1", into: dir + "/back", options: identity)
            #expect(pulled.entries.first?.descriptor.digest == summary["v1"]?.digest)
            // The tokens came from the refresh-token grant (the token server's identity user).
            #expect(try await TestServices.tokensIssued(to: "\(registry.username)-identity") > before)
        }
    }

    @Test func refusedIdentityTokenIsAClearError() async throws {
        let error = await #expect(throws: RegistryError.self) {
            try await withRegistryClient(registry.host, options: options(.identityToken("identity-wrong"))) { client in
                _ = try await client.tags("ferry-test/none")
            }
        }
        #expect(error?.code == .unauthorized)
        #expect(error?.message.contains("identity token") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("identity-wrong") == false, "the token was printed: \(error?.message ?? "")")
    }

    @Test func identityTokenDoesNotAnswerABasicChallenge() async throws {
        var options = options(.identityToken("identity-anything"))
        options.tlsVerify = false
        let error = await #expect(throws: RegistryError.self) {
            try await withRegistryClient(auth.host, options: options) { client in
                _ = try await client.tags("ferry-test/none")
            }
        }
        #expect(error?.message.contains("identity token") == true, "\(error?.message ?? "")")
    }

    /// The built ferry, with the identity token in an auth file and then from a credential helper.
    @Test(.enabled(if: SharedFixtures.builtFerry != nil, "no ferry binary"), arguments: ["auth file", "credential helper"])
    func theCLITakesAnIdentityTokenFrom(_ where: String) async throws {
        try await withTemporaryDirectory { dir in
            let repository = SharedFixtures.uniqueRepository("identity-cli")
            _ = try await buildLayout(dir + "/src", seed: 2202)
            try await push(
                layout: dir + "/src", name: "v1", to: registry.host, repository: repository, tag: "v1",
                options: options(Credentials(username: registry.username, password: registry.password)))
            var environment: [String: String]
            if `where` == "auth file" {
                environment = try isolatedEnvironment(dir, registriesConf: "")
                let file = dir + "/auth.json"
                try #"{"auths": {"\#(registry.host)": {"auth": "", "identitytoken": "identity-\#(registry.password)"}}}"#.write(
                    toFile: file, atomically: true, encoding: .utf8)
                environment["REGISTRY_AUTH_FILE"] = file
            } else {
                let helper = try FakeCredentialHelper(name: "test", in: dir + "/helper")
                let entry = #"{"ServerURL": "\#(registry.host)", "Username": "<token>", "Secret": "identity-\#(registry.password)"}"#
                try entry.write(
                    toFile: helper.storeDirectory + "/" + registry.host.replacingOccurrences(of: ":", with: "_"), atomically: true, encoding: .utf8)
                environment = try isolatedEnvironment(
                    dir, registriesConf: "credential-helpers = [\"test\"]\n",
                    path: helper.binDirectory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? ""))
            }
            let tags = try await ExternalTool.run(ferry, ["tags", "--tls-verify=false", "docker://\(registry.host)/\(repository)"], environment: environment)
            #expect(tags.exitCode == 0, "\(tags.stderr)")
            #expect(tags.stdout.split(separator: "\n") == ["v1"], "\(tags.stdout)")
        }
    }
}
