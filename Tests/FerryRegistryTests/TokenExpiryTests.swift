import Foundation
import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTestSupport
import Testing

/// Bearer tokens that expire in the middle of a run (the token registry of TestServices; its
/// token server gives `USER-short-…` users 5-second tokens and `USER-stale-…` users 5-second
/// tokens that claim to last 300 s, and counts what it issued; 20 seconds under a sanitizer,
/// ``TokenLifetime``). Lifetimes of a few seconds leave
/// room for a loaded machine, where one request can take a second or more.
@Suite(.needs(.tokenRegistry))
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

    /// One client works for about three token lifetimes. Every round uploads a blob — a streamed
    /// `PATCH`, which cannot be sent twice, so it succeeds only if its token was renewed *before*
    /// it expired — and reads it back.
    @Test func shortLivedTokensAreRenewedBeforeTheyExpire() async throws {
        let user = user("short")
        let repository = SharedFixtures.uniqueRepository("token-short")
        let started = ContinuousClock.now
        try await withRegistryClient(registry.host, options: options(user: user)) { client in
            var round: UInt8 = 0
            // About three lifetimes (14 s of 5 s tokens) and at least 5 rounds: on a loaded
            // machine one round can take seconds.
            while ContinuousClock.now - started < .milliseconds(2800 * TokenLifetime.short) || round < 5 {
                round &+= 1
                let bytes = [UInt8](repeating: round, count: 20_000 + Int(round))
                // Under load a PATCH can still reach the registry after its token's end: its
                // body cannot be sent twice, so the round uploads again from a fresh stream, as
                // the engine's job retry does (the refusal is counted below).
                let digest: Digest
                do {
                    digest = try await upload(client, repository, bytes)
                } catch let error as RegistryError where error.status == 401 {
                    digest = try await upload(client, repository, bytes)
                }
                #expect(try await client.blobSize(repository, digest) == Int64(bytes.count))
                let stream = try await client.blob(repository, digest)
                var read: [UInt8] = []
                while let chunk = try await stream.next() { read += chunk }
                #expect(read == bytes)
                try await Task.sleep(for: .milliseconds(140 * TokenLifetime.short))
            }
        }
        // Two first tokens (pull+push for uploads, pull for reads); every later one was renewed
        // either ahead of time or after a 401. Without renewal ahead of time, each renewal would
        // cost a 401; under load a request can still reach the registry after its token's end
        // (a 401, then a retry), so a few refusals are tolerated, not a renewal-by-refusal run.
        let issued = try await TestServices.tokensIssued(to: user)
        let refusals = try TestServices.refusals(in: repository)
        #expect(issued - 2 - refusals.count >= 2, "\(issued) tokens issued, \(refusals.count) requests refused: \(refusals)")
    }

    /// The tokens claim 300 s but the registry refuses them after 5: the 401 (`invalid_token`) on
    /// a request with a cached token makes Ferry drop it, fetch a new one and send the request
    /// again. Only replayable requests here (a streamed upload is sent once); the client never
    /// renews a 300 s token on its own, so every token past the first per scope came from a 401.
    @Test func tokenRefusedBeforeItsClaimedExpiryIsRenewedAfterThe401() async throws {
        let user = user("stale")
        let repository = SharedFixtures.uniqueRepository("token-stale")
        let seeded = try await withRegistryClient(registry.host, options: options(user: registry.username)) { client in
            try await upload(client, repository, Array("seeded".utf8))
        }
        let index = Array(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#.utf8)
        let document = RawDocument(bytes: index, mediaType: .ociIndex, digest: try DigestHasher.digest(index))
        try await withRegistryClient(registry.host, options: options(user: user)) { client in
            #expect(try await client.blobSize(repository, seeded) == 6)
            try await client.putManifest(document, repository, .tag("a"))
            try await Task.sleep(for: .seconds(TokenLifetime.short + 1))
            #expect(try await client.blobSize(repository, seeded) == 6)
            try await client.putManifest(document, repository, .tag("b"))
            #expect(try await client.manifestDescriptor(repository, .tag("b"))?.digest == document.digest)
        }
        let issued = try await TestServices.tokensIssued(to: user)
        #expect(issued >= 4, "pull and push tokens, each renewed after the registry refused it: \(issued) issued")
        #expect(try TestServices.refusals(in: repository).count >= 2)
    }
}
