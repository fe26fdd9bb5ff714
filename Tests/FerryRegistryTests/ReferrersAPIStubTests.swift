import Foundation
import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTestSupport
import Testing

/// The client's referrers-API path. The only registries the tests can run here (Debian's
/// docker-registry 2.8) have no referrers API, so these tests talk to a small stub that has one
/// (Tests/Support/referrers-stub.py); the fallback tag path is tested against the real registry
/// in ReferrersRegistryTests.
@Suite(.enabled(if: ExternalTool.find("python3") != nil && SharedFixtures.packageRoot != nil, "python3 or the package root missing"))
struct ReferrersAPIStubTests {
    static let subject = try! DigestHasher.digest(Array("the image".utf8))

    /// Three referrers of ``subject``: two SBOMs and a signature.
    static let listed: [Descriptor] = ["sbom one", "signature", "sbom two"].map { name in
        Descriptor(
            mediaType: .ociManifest, digest: try! DigestHasher.digest(Array(name.utf8)), size: 500,
            annotations: ["name": name],
            artifactType: name.hasPrefix("sbom") ? "application/spdx+json" : "application/vnd.cncf.notary.signature")
    }

    @Test func listsEveryPageOfTheReferrersAPI() async throws {
        try await withReferrersStub(referrers: [Self.subject: Self.listed]) { stub in
            let answer = try await withRegistryClient(stub.host, options: plainOptions) { client in
                try await client.referrers("app", of: Self.subject)
            }
            #expect(answer.origin == .referrersAPI)
            #expect(answer.manifests == Self.listed)
            // One page per referrer, each reached through the previous page's Link.
            #expect(stub.log().filter { $0.hasPrefix("GET /v2/app/referrers/") }.count == 3)
            #expect(!stub.log().contains { $0.contains("/manifests/") }, "the fallback tag must not be read when the API answers")
        }
    }

    /// With `OCI-Filters-Applied: artifactType` the registry's answer is taken as it is; without,
    /// the client filters.
    @Test(arguments: [true, false])
    func artifactTypeFilterHoldsWhoeverApplies(registryFilters: Bool) async throws {
        try await withReferrersStub(referrers: [Self.subject: Self.listed], filtering: registryFilters) { stub in
            let answer = try await withRegistryClient(stub.host, options: plainOptions) { client in
                try await client.referrers("app", of: Self.subject, artifactType: "application/spdx+json")
            }
            #expect(answer.manifests.map { $0.annotations?["name"] } == ["sbom one", "sbom two"])
            #expect(stub.log().allSatisfy { !$0.hasPrefix("GET /v2/app/referrers/") || $0.contains("artifactType=application%2Fspdx%2Bjson") })
        }
    }

    @Test func anEmptyListFromTheAPIIsNotAFallback() async throws {
        try await withReferrersStub(referrers: [:]) { stub in
            let answer = try await withRegistryClient(stub.host, options: plainOptions) { client in
                try await client.referrers("app", of: Self.subject)
            }
            #expect(answer == RegistryReferrers(manifests: [], origin: .referrersAPI))
        }
    }

    @Test func pushConfirmedByOCISubjectLeavesTheFallbackTagAlone() async throws {
        let subject = Descriptor(mediaType: .ociManifest, digest: Self.subject, size: 9)
        let artifact = ImageManifest(
            mediaType: .ociManifest, artifactType: "application/spdx+json",
            config: Descriptor(mediaType: .ociEmpty, digest: try DigestHasher.digest(Array("{}".utf8)), size: 2),
            layers: [], subject: subject)
        let bytes = try JSONDocument.encode(artifact)
        let document = RawDocument(bytes: bytes, mediaType: .ociManifest, digest: try DigestHasher.digest(bytes))
        try await withReferrersStub(referrers: [:]) { stub in
            _ = try await withRegistryClient(stub.host, options: plainOptions) { client in
                try await client.putManifest(document, "app", .digest(document.digest))
            }
            let requests = stub.log().filter { $0 != "GET /v2/" }
            #expect(requests == ["PUT /v2/app/manifests/\(document.digest)"], "a registry that answers OCI-Subject keeps its own referrers list")
        }
    }
}
