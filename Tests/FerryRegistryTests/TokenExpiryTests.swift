import Foundation
import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTestSupport
import Testing

/// Bearer tokens that expire in the middle of a run (the token registry of Scripts/test; its
/// token server gives `USER-short-…` users 3-second tokens and `USER-stale-…` users 3-second
/// tokens that claim to last 300 s, and counts what it issued).
@Suite(.enabled(if: SharedFixtures.testTokenRegistry != nil && TestServices.tokenServer != nil, "FERRY_TEST_REGISTRY_TOKEN / FERRY_TEST_TOKEN_SERVER not set (run Scripts/test)"))
struct TokenExpiryTests {
    let registry = SharedFixtures.testTokenRegistry ?? TestTokenRegistry(host: "", username: "", password: "")

    private func user(_ kind: String) -> String {
        "\(registry.username)-\(kind)-\(UUID().uuidString.lowercased().prefix(8))"
    }

    private func options(user: String) -> RegistryOptions {
        RegistryOptions(credentials: Credentials(username: user, password: registry.password), useCredentialFiles: false)
    }

    private func upload(_ client: RegistryClient, _ repository: String, _ bytes: [UInt8]) async throws -> Digest {
        let stream = try VerifyingStream(MemoryByteStream(bytes, chunkSize: 4096), computing: .sha256, context: "test blob")
        return try await client.pushBlob(repository, from: stream).digest
    }

    /// One client works for about four token lifetimes. Every round uploads a blob — a streamed
    /// `PATCH`, which cannot be sent twice, so it succeeds only if its token was renewed *before*
    /// it expired — and reads it back.
    @Test func shortLivedTokensAreRenewedBeforeTheyExpire() async throws {
        let user = user("short")
        let repository = SharedFixtures.uniqueRepository("token-short")
        let started = ContinuousClock.now
        try await withRegistryClient(registry.host, options: options(user: user)) { client in
            var round: UInt8 = 0
            while ContinuousClock.now - started < .seconds(10) {
                round &+= 1
                let bytes = [UInt8](repeating: round, count: 20_000 + Int(round))
                let digest = try await upload(client, repository, bytes)
                #expect(try await client.blobSize(repository, digest) == Int64(bytes.count))
                let stream = try await client.blob(repository, digest)
                var read: [UInt8] = []
                while let chunk = try await stream.next() { read += chunk }
                #expect(read == bytes)
                try await Task.sleep(for: .milliseconds(700))
            }
        }
        let issued = try await TestServices.tokensIssued(to: user)
        #expect(issued >= 3, "a 10 s run with 3 s tokens took only \(issued) token(s)")
    }

    /// The tokens claim 300 s but the registry refuses them after 3: the 401 (`invalid_token`) on
    /// a request with a cached token makes Ferry drop it, fetch a new one and send the request
    /// again — once per scope here (pull for the `HEAD`, pull+push for the upload's `POST`).
    @Test func tokenRefusedBeforeItsClaimedExpiryIsRenewedOnce() async throws {
        let user = user("stale")
        let repository = SharedFixtures.uniqueRepository("token-stale")
        try await withRegistryClient(registry.host, options: options(user: user)) { client in
            let first = try await upload(client, repository, Array("first".utf8))
            #expect(try await client.blobSize(repository, first) == 5)
            try await Task.sleep(for: .seconds(4))
            #expect(try await client.blobSize(repository, first) == 5)
            let second = try await upload(client, repository, Array("second".utf8))
            #expect(try await client.blobSize(repository, second) == 6)
        }
        let issued = try await TestServices.tokensIssued(to: user)
        #expect(issued == 4, "two scopes, each renewed once after the registry refused it: \(issued) issued")
    }
}
