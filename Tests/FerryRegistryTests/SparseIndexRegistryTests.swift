import Foundation
import FerrySpec
import FerryTestSupport
import Testing

/// A sparse index (a `ctr images export --platform`) pushed to a registry: the registry would
/// refuse an index whose children are missing, so the copy stops before writing anything, naming
/// the absent platforms and `--platform`; with `--platform` the platform held goes through.
@Suite(
    .needs(.registry), .enabled(if: SharedFixtures.ferryBinary != nil, "no ferry binary (swift build)"),
    .enabled(if: SharedFixtures.interopPath("oci-archive/oras-hello-world-containerd-export.tar") != nil, "shared/interop fixtures not found"))
struct SparseIndexRegistryTests {
    let ferry = SharedFixtures.ferryBinary ?? ""
    let registry = SharedFixtures.testRegistry ?? ""
    let export = SharedFixtures.interopPath("oci-archive/oras-hello-world-containerd-export.tar") ?? ""

    @Test func theWholeIndexStopsBeforeWritingAndOnePlatformGoes() async throws {
        let repository = SharedFixtures.uniqueRepository("sparse")
        let refused = try await ExternalTool.run(ferry, ["copy", "-q", "oci-archive:\(export)", "docker://\(registry)/\(repository):all"])
        #expect(refused.exitCode == 1)
        #expect(refused.stderr.contains("linux/arm64/v8") && refused.stderr.contains("--platform linux/amd64"), "\(refused.stderr)")
        #expect(refused.stderr.contains("nothing was written"))
        let tags = try await ExternalTool.run(ferry, ["tags", "docker://\(registry)/\(repository)"])
        #expect(tags.stdout.isEmpty, "the refused copy wrote \(tags.stdout)")

        try await ExternalTool.runChecked(
            ferry, ["copy", "-q", "--platform", "linux/amd64", "oci-archive:\(export)", "docker://\(registry)/\(repository):amd64"])
        let digest = try await ExternalTool.runChecked(ferry, ["digest", "docker://\(registry)/\(repository):amd64"]).stdout
        #expect(digest.hasPrefix("sha256:f54a58bc1aac"))
        #expect(try await ExternalTool.run(ferry, ["verify", "--tls-verify=false", "docker://\(registry)/\(repository):amd64"]).exitCode == 0)
    }
}
