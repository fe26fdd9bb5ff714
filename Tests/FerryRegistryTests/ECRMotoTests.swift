import AsyncHTTPClient
import Foundation
import FerryRegistry
import FerryTestSupport
import Testing
import FerryStreams

/// The ECR API calls against moto's server mode (started by TestServices).
/// moto does not check signatures; ``SigV4SignerTests`` checks the signer against AWS's vectors.
@Suite(.needs(.moto))
struct ECRMotoTests {
    static let host = "123456789012.dkr.ecr.us-east-1.amazonaws.com"

    /// An environment pointing the ECR API at moto, with throwaway AWS credentials and no files.
    static var environment: [String: String] {
        [
            "HOME": "/nonexistent-ferry-home",
            "FERRY_ECR_ENDPOINT": TestServices.moto ?? "",
            "AWS_ACCESS_KEY_ID": "AKIDFERRYTEST",
            "AWS_SECRET_ACCESS_KEY": "ferry-test-secret",
        ]
    }

    /// A settable clock for the token cache.
    final class TestClock: Sendable {
        let date: Locked<Date>
        init(_ date: Date) { self.date = Locked(date) }
        func set(_ value: Date) { date.withLock { $0 = value } }
        var now: Date { date.withLock { $0 } }
    }

    static func withHTTP<T>(_ body: (HTTPClient) async throws -> T) async throws -> T {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let result = try await body(http)
            try await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    @Test func getAuthorizationTokenDecodes() async throws {
        try await Self.withHTTP { http in
            let api = ECRAPIClient(
                credentials: AWSCredentials(accessKeyID: "AKIDFERRYTEST", secretAccessKey: "s"), region: "us-east-1",
                defaultEndpoint: "https://api.ecr.us-east-1.amazonaws.com/", environment: Self.environment, http: http)
            #expect(api.endpoint == Self.environment["FERRY_ECR_ENDPOINT"])
            let token = try await api.getAuthorizationToken()
            let credentials = try token.credentials()
            #expect(credentials.username == "AWS")
            #expect(!credentials.password.isEmpty)
            #expect(Data(base64Encoded: token.token).map { String(decoding: $0, as: UTF8.self) } == "AWS:" + credentials.password)
            #expect(token.expiresAt.timeIntervalSince1970 > 0)
        }
    }

    @Test func authenticatorCachesAndRefreshesBeforeExpiry() async throws {
        try await Self.withHTTP { http in
            let clock = TestClock(Date(timeIntervalSince1970: 0))
            let authenticator = ECRAuthenticator(refreshMargin: 600, now: { clock.now })
            let first = try #require(try await authenticator.token(for: Self.host, environment: Self.environment, http: http))
            // Well before expiry: served from the cache.
            clock.set(first.expiresAt.addingTimeInterval(-3600))
            _ = try await authenticator.token(for: Self.host, environment: Self.environment, http: http)
            #expect(await authenticator.exchanges == 1)
            // Inside the refresh margin: fetched again.
            clock.set(first.expiresAt.addingTimeInterval(-60))
            _ = try await authenticator.token(for: Self.host, environment: Self.environment, http: http)
            #expect(await authenticator.exchanges == 2)
            // Not ECR, or no AWS credentials: nothing.
            #expect(try await authenticator.token(for: "localhost:5000", environment: Self.environment, http: http) == nil)
            #expect(try await authenticator.token(for: Self.host, environment: ["HOME": "/nonexistent-ferry-home"], http: http) == nil)
        }
    }

    /// The whole lookup for a fake ECR host: no --creds, no auth file entry ⇒ the ECR exchange,
    /// whose token goes out as `Authorization: Basic <token>` unchanged.
    @Test func registryClientSendsTheTokenAsBasic() async throws {
        let token = try await Self.withHTTP { http in
            try #require(try await ECRAuthenticator().token(for: Self.host, environment: Self.environment, http: http)).token
        }
        let options = RegistryOptions(environment: Self.environment)
        let authorization = try await withRegistryClient(Self.host, options: options) { client in
            client.resolvedCredentials.map(RegistryClient.basicAuthorization)
        }
        #expect(authorization == "Basic " + token)
        // Explicit credentials come first.
        let explicit = RegistryOptions(credentials: Credentials(username: "u", password: "p"), environment: Self.environment)
        let user = try await withRegistryClient(Self.host, options: explicit) { $0.resolvedCredentials?.username }
        #expect(user == "u")
        // An auth file entry for the host comes before the exchange.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-ecr-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let auth = Data("file-user:file-pass".utf8).base64EncodedString()
        try #"{"auths":{"\#(Self.host)":{"auth":"\#(auth)"}}}"#.write(toFile: dir + "/auth.json", atomically: true, encoding: .utf8)
        var environment = Self.environment
        environment["REGISTRY_AUTH_FILE"] = dir + "/auth.json"
        let fromFile = try await withRegistryClient(Self.host, options: RegistryOptions(environment: environment)) { $0.resolvedCredentials?.username }
        #expect(fromFile == "file-user")
    }

    @Test func createRepositoryThroughTheRegistryClient() async throws {
        let name = "ferry-test/repo-\(UInt32.random(in: 0...UInt32.max))"
        let options = RegistryOptions(credentials: Credentials(username: "AWS", password: "unused"), environment: Self.environment)
        let created = try await withRegistryClient(Self.host, options: options) { client in
            (try await client.createRepository(name), try await client.createRepository(name))
        }
        #expect(created.0)
        #expect(!created.1)
        let names = try await Self.withHTTP { http in
            try await ECRAPIClient(
                credentials: AWSCredentials(accessKeyID: "AKIDFERRYTEST", secretAccessKey: "s"), region: "us-east-1",
                defaultEndpoint: "https://api.ecr.us-east-1.amazonaws.com/", environment: Self.environment, http: http
            ).repositoryNames()
        }
        #expect(names.contains(name))
        // Not ECR: nothing to create.
        let local = try await withRegistryClient("localhost:5000", options: RegistryOptions(useCredentialFiles: false)) { try await $0.createRepository(name) }
        #expect(local == false)
    }
}
