import Foundation
import FerryEngine
import FerryRegistry
import FerrySpec
import FerryTestSupport
import FerryTransports
import Testing

/// The basic-auth registry of TestServices: htpasswd basic auth over TLS with a throwaway CA.
@Suite(.needs(.authRegistry), .enabled(if: ExternalTool.gzipAvailable, "gzip missing"))
struct AuthRegistryTests {
    let auth = SharedFixtures.testAuthRegistry ?? TestAuthRegistry(host: "", username: "", password: "", caFile: "")

    private var trusted: RegistryOptions {
        RegistryOptions(
            credentials: Credentials(username: auth.username, password: auth.password), useCredentialFiles: false,
            certificateDirectory: auth.certificateDirectory)
    }

    @Test func pushAndPullWithBasicAuthOverVerifiedTLS() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await buildLayout(dir + "/src", seed: 501)
            let repository = SharedFixtures.uniqueRepository("auth")
            let pushed = try await push(layout: dir + "/src", name: "multi", to: auth.host, repository: repository, tag: "multi", options: trusted)
            #expect(pushed.entries.first?.descriptor.digest == summary["multi"]?.digest)
            let pulled = try await pull(auth.host, repository: repository, tag: "multi", into: dir + "/back", options: trusted)
            #expect(pulled.entries.first?.descriptor.digest == summary["multi"]?.digest)
            let tags = try await withRegistryClient(auth.host, options: trusted) { client in
                try await client.tags(repository)
            }
            #expect(tags == ["multi"])
        }
    }

    @Test func wrongPasswordIsAClear401() async throws {
        let options = RegistryOptions(
            credentials: Credentials(username: auth.username, password: "wrong"), useCredentialFiles: false, certificateDirectory: auth.certificateDirectory)
        let error = await #expect(throws: RegistryError.self) {
            try await withRegistryClient(auth.host, options: options) { client in
                _ = try await client.tags("ferry-test/none")
            }
        }
        #expect(error?.code == .unauthorized)
        #expect(error?.status == 401)
        #expect(error?.message.contains("refused the credentials of user \"\(auth.username)\"") == true)
    }

    @Test func missingCredentialsSayHowToGiveThem() async throws {
        let options = RegistryOptions(useCredentialFiles: false, certificateDirectory: auth.certificateDirectory)
        let error = await #expect(throws: RegistryError.self) {
            try await withRegistryClient(auth.host, options: options) { client in
                _ = try await client.manifest("ferry-test/none", .tag("x"))
            }
        }
        #expect(error?.code == .unauthorized)
        #expect(error?.message.contains("--creds") == true)
    }

    @Test func untrustedCertificateIsATLSError() async throws {
        let options = RegistryOptions(credentials: trusted.credentials, useCredentialFiles: false, retry: RetryPolicy(maximumAttempts: 1))
        let error = await #expect(throws: RegistryError.self) {
            try await withRegistryClient(auth.host, options: options) { client in try await client.ping() }
        }
        #expect(error?.code == .connection)
        #expect(error?.message.contains("TLS failure") == true)
        #expect(error?.message.contains("--cert-dir") == true)
    }

    @Test func tlsVerifyFalseSkipsVerification() async throws {
        let options = RegistryOptions(credentials: trusted.credentials, useCredentialFiles: false, tlsVerify: false)
        try await withRegistryClient(auth.host, options: options) { client in
            try await client.checkCredentials()
            #expect(try await client.manifestDescriptor("ferry-test/none", .tag("x")) == nil)
        }
    }

    @Test func credentialsComeFromDockerConfig() async throws {
        try await withTemporaryDirectory { dir in
            let environment = ["DOCKER_CONFIG": dir + "/docker", "HOME": dir]
            try CredentialStore(environment: environment).store(Credentials(username: auth.username, password: auth.password), for: auth.host)
            let options = RegistryOptions(certificateDirectory: auth.certificateDirectory, environment: environment)
            try await withRegistryClient(auth.host, options: options) { client in
                try await client.checkCredentials()
            }
        }
    }
}
