import Foundation
import FerryTestSupport
import Testing

/// A docker-archive pushed to a registry stays Docker schema 2 with gzip layers, as skopeo keeps
/// it (checked against skopeo itself); `--format oci` makes it OCI; into `oci:` it is OCI.
@Suite(
    .enabled(
        if: SharedFixtures.ferryBinary != nil && SharedFixtures.testRegistry != nil && SharedFixtures.testImagesDirectory != nil,
        "FERRY_BIN, FERRY_TEST_REGISTRY or TestImages missing (run Scripts/test)"))
struct DockerArchivePushFormatTests {
    let ferry = SharedFixtures.ferryBinary ?? ""
    let registry = SharedFixtures.testRegistry ?? ""
    let archive = (SharedFixtures.testImagesDirectory ?? "") + "/hello.docker.tar"

    private func manifest(_ place: String, tool: String? = nil) async throws -> [String: Any] {
        let result =
            tool == nil
            ? try await ExternalTool.run(ferry, ["inspect", "--raw", place])
            : try await ExternalTool.run("skopeo", ["inspect", "--raw", "--tls-verify=false", place])
        try #require(result.succeeded, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdoutBytes)) as? [String: Any])
    }

    private func layerTypes(_ manifest: [String: Any]) -> [String] {
        (manifest["layers"] as? [[String: Any]] ?? []).compactMap { $0["mediaType"] as? String }
    }

    @Test func staysDockerSchema2AsSkopeoKeepsIt() async throws {
        let repository = "\(registry)/\(SharedFixtures.uniqueRepository("darchive"))"
        let pushed = try await ExternalTool.run(ferry, ["copy", "-q", "docker-archive:\(archive)", "docker://\(repository):ferry"])
        try #require(pushed.succeeded, "\(pushed.stderr)")
        let ours = try await manifest("docker://\(repository):ferry")
        #expect(ours["mediaType"] as? String == "application/vnd.docker.distribution.manifest.v2+json")
        #expect((ours["config"] as? [String: Any])?["mediaType"] as? String == "application/vnd.docker.container.image.v1+json")
        #expect(!layerTypes(ours).isEmpty)
        #expect(layerTypes(ours).allSatisfy { $0 == "application/vnd.docker.image.rootfs.diff.tar.gzip" }, "\(layerTypes(ours))")

        let oci = try await ExternalTool.run(ferry, ["copy", "-q", "--format", "oci", "docker-archive:\(archive)", "docker://\(repository):oci"])
        try #require(oci.succeeded, "\(oci.stderr)")
        #expect(try await manifest("docker://\(repository):oci")["mediaType"] as? String == "application/vnd.oci.image.manifest.v1+json")

        try await withTemporaryDirectory { dir in
            let layout = try await ExternalTool.run(ferry, ["copy", "-q", "docker-archive:\(archive)", "oci:\(dir)/layout:x"])
            try #require(layout.succeeded, "\(layout.stderr)")
            #expect(try await manifest("oci:\(dir)/layout:x")["mediaType"] as? String == "application/vnd.oci.image.manifest.v1+json")
        }

        if ExternalTool.skopeoAvailable {
            let bySkopeo = try await ExternalTool.run(
                "skopeo", ["--insecure-policy", "copy", "-q", "--dest-tls-verify=false", "docker-archive:\(archive)", "docker://\(repository):skopeo"])
            try #require(bySkopeo.succeeded, "\(bySkopeo.stderr)")
            let theirs = try await manifest("docker://\(repository):skopeo", tool: "skopeo")
            #expect(theirs["mediaType"] as? String == ours["mediaType"] as? String)
            #expect(layerTypes(theirs) == layerTypes(ours))
        }
    }
}
