import Foundation
import FerrySpec
import FerryTestSupport
import Testing

/// `ferry copy --referrers` and `ferry referrers`, end to end through the binary and the local
/// registry (no referrers API there: the fallback tag path).
@Suite(.needs(.registry), .enabled(if: SharedFixtures.ferryBinary != nil && ExternalTool.gzipAvailable, "no ferry binary, or gzip missing"))
struct ReferrersCLITests {
    let ferry = SharedFixtures.ferryBinary ?? ""
    let registry = SharedFixtures.testRegistry ?? ""

    /// The digests and artifact types `ferry referrers --json` lists.
    func listed(_ place: String) async throws -> [String: String] {
        let output = try await ExternalTool.runChecked(ferry, ["referrers", "--json", place]).stdout
        let items = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: items.map { ($0["digest"] as? String ?? "", $0["artifactType"] as? String ?? "") })
    }

    @Test func copyReferrersThereAndBackThenListThem() async throws {
        try await withTemporaryDirectory { dir in
            let signed = try await TestReferrers.writeSignedImage(to: dir + "/src", seed: 711)
            let expected = [
                signed.sbom.digest.description: TestReferrers.ArtifactTypes.spdx,
                signed.signature.digest.description: TestReferrers.ArtifactTypes.signature,
            ]
            #expect(try await listed("oci:\(dir)/src:v1") == expected)

            let repo = "docker://\(registry)/\(SharedFixtures.uniqueRepository("referrers-cli"))"
            let push = try await ExternalTool.runChecked(ferry, ["copy", "--referrers", "oci:\(dir)/src:v1", repo + ":v1"]).stdout
            #expect(push.contains("Copied referrer \(signed.sbomSignature.digest)"))
            #expect(try await listed(repo + ":v1") == expected)

            try await ExternalTool.runChecked(ferry, ["copy", "-q", "--referrers", repo + ":v1", "oci:\(dir)/back:v1"])
            #expect(try await listed("oci:\(dir)/back:v1") == expected)
            try await ExternalTool.runChecked(ferry, ["copy", "-q", repo + ":v1", "oci:\(dir)/bare:v1"])
            #expect(try await listed("oci:\(dir)/bare:v1").isEmpty)

            let text = try await ExternalTool.runChecked(ferry, ["referrers", "--artifact-type", TestReferrers.ArtifactTypes.spdx, repo + ":v1"]).stdout
            #expect(text.contains(signed.sbom.digest.description))
            #expect(!text.contains(signed.signature.digest.description))
        }
    }
}
