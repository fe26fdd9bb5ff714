import Foundation
import FerrySpec
import FerryTestSupport
import Testing

/// `ferry verify docker://…`: the offline validator pointed at a registry (TestServices starts
/// the registry; the fault proxy corrupts a blob on the way).
@Suite(
    .needs(.registry),
    .enabled(if: SharedFixtures.ferryBinary != nil && ExternalTool.gzipAvailable && ExternalTool.find("python3") != nil, "no ferry binary, or gzip missing"))
struct RegistryVerifyTests {
    let ferry = SharedFixtures.ferryBinary ?? ""
    let registry = SharedFixtures.testRegistry ?? ""

    /// Pushes image `v1` (two layers) and returns its repository and the digest of its last layer.
    private func seed(_ dir: String, seed: UInt64) async throws -> (String, Digest) {
        var builder = TestImageBuilder(seed: seed)
        builder.addImage(tag: "v1", layerCount: 2, layerSize: 40_000)
        let summary = try await builder.write(to: dir + "/src")
        let repository = SharedFixtures.uniqueRepository("verify")
        try await push(layout: dir + "/src", name: "v1", to: registry, repository: repository, tag: "v1")
        let image = try #require(summary["v1"]?.images.first)
        return (repository, try #require(image.layerDigests.last))
    }

    @Test func validImageInARegistryVerifies() async throws {
        try await withTemporaryDirectory { dir in
            let (repository, _) = try await seed(dir, seed: 811)
            let result = try await ExternalTool.run(ferry, ["verify", "--json", "docker://\(registry)/\(repository):v1"])
            #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect(report["valid"] as? Bool == true)
            let reports = try #require(report["reports"] as? [[String: Any]])
            // Index-less single image: manifest, config and two layers were read.
            #expect((reports.first?["blobsChecked"] as? Int ?? 0) >= 4, "\(reports)")
        }
    }

    @Test func corruptedBlobFromARegistryIsReportedByDigest() async throws {
        try await withTemporaryDirectory { dir in
            let (repository, layer) = try await seed(dir, seed: 812)
            try await withFaultProxy(upstream: registry, faults: ["--corrupt", layer.description]) { proxy in
                let result = try await ExternalTool.run(ferry, ["verify", "--tls-verify=false", "docker://\(proxy.host)/\(repository):v1"])
                #expect(result.exitCode == 1, "\(result.stdout)\(result.stderr)")
                #expect(result.stdout.contains(layer.description), "\(result.stdout)")
            }
        }
    }

    @Test func missingTagIsInvalidAndUnreachableRegistryIsUnreadable() async throws {
        let missing = try await ExternalTool.run(ferry, ["verify", "docker://\(registry)/\(SharedFixtures.uniqueRepository("verify")):none"])
        #expect(missing.exitCode == 1, "\(missing.stdout)\(missing.stderr)")
        // Port 9 (discard) on 127.0.0.1: nothing listens there in the test environment.
        let unreachable = try await ExternalTool.run(ferry, ["verify", "--tls-verify=false", "docker://127.0.0.1:9/ferry/none:x"])
        #expect(unreachable.exitCode == 3, "\(unreachable.stdout)\(unreachable.stderr)")
    }
}
