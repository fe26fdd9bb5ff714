import Foundation
import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTestSupport
import Testing

/// `GET /v2/_catalog` with `n` and `Link` pagination, and `ferry catalog`, against the real
/// registry (which other tests fill at the same time: only containment and order are checked).
@Suite(.needs(.registry), .enabled(if: ExternalTool.find("python3") != nil, "python3 missing"))
struct CatalogTests {
    let upstream = SharedFixtures.testRegistry ?? ""

    /// Creates `count` repositories under one fresh prefix (a registry lists a repository once
    /// it holds a manifest) and returns their names, sorted.
    private func makeRepositories(_ count: Int) async throws -> [String] {
        let prefix = SharedFixtures.uniqueRepository("catalog")
        let names = (0..<count).map { "\(prefix)/r\($0)" }
        try await withRegistryClient(upstream, options: plainOptions) { client in
            let config = Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)
            let configDigest = try DigestHasher.digest(config)
            let json =
                #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\#(configDigest)","size":\#(config.count)},"layers":[]}"#
            let manifest = RawDocument(bytes: Array(json.utf8), mediaType: .ociManifest, digest: try DigestHasher.digest(Array(json.utf8)))
            for name in names {
                let stream = try VerifyingStream(MemoryByteStream(config), expectedDigest: configDigest, context: "config")
                _ = try await client.pushBlob(name, from: stream)
                try await client.putManifest(manifest, name, .tag("v1"))
            }
        }
        return names.sorted()
    }

    @Test func catalogFollowsLinkAcrossPages() async throws {
        let created = try await makeRepositories(5)
        try await withFaultProxy(upstream: upstream, faults: []) { proxy in
            let listed = try await withRegistryClient(proxy.host, options: plainOptions) { client in
                try await client.catalog(pageSize: 2)
            }
            #expect(Set(created).isSubset(of: Set(listed)), "\(listed)")
            #expect(listed == listed.sorted(), "distribution lists repositories in lexical order")
            #expect(Set(listed).count == listed.count, "no repository twice")
            let pages = proxy.log().filter { $0.hasPrefix("GET /v2/_catalog") }
            #expect(pages.count >= 3, "five repositories at two per page: \(pages)")
            #expect(pages.dropFirst().allSatisfy { $0.contains("last=") }, "\(pages)")
        }
        let whole = try await withRegistryClient(upstream, options: plainOptions) { client in try await client.catalog() }
        #expect(Set(created).isSubset(of: Set(whole)))
    }

    @Test(.enabled(if: SharedFixtures.ferryBinary != nil, "no ferry binary (swift build)"))
    func catalogCommandPrintsLinesAndJSON() async throws {
        let ferry = SharedFixtures.ferryBinary ?? ""
        let created = try await makeRepositories(3)
        let text = try await ExternalTool.runChecked(ferry, ["catalog", "--page-size", "2", upstream]).stdout
        let lines = text.split(separator: "\n").map(String.init)
        #expect(Set(created).isSubset(of: Set(lines)), "\(lines)")
        let json = try await ExternalTool.runChecked(ferry, ["catalog", "--json", "docker://\(upstream)"]).stdout
        struct Listing: Decodable { var repositories: [String] }
        let listing = try JSONDecoder().decode(Listing.self, from: Data(json.utf8))
        #expect(Set(created).isSubset(of: Set(listing.repositories)))
        let usage = try await ExternalTool.run(ferry, ["catalog", "\(upstream)/some/repo"])
        #expect(usage.exitCode == 2, "\(usage.stderr)")
    }
}
