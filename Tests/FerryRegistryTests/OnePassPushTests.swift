import Foundation
import FerryEngine
import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// A compressed docker-archive pushed to the real local registry: read once, each layer uploaded as
/// it passes, the manifest put after `manifest.json` (the last member) was read.
@Suite(
    .needs(.registry),
    .enabled(
        if: ExternalTool.gzipAvailable && SharedFixtures.testImagesDirectory != nil,
        "gzip or TestImages missing"))
struct OnePassPushTests {
    let registry = SharedFixtures.testRegistry ?? ""

    @Test func compressedArchivePushesAsThePlainOneDoes() async throws {
        try await withTemporaryDirectory { dir in
            let plain = SharedFixtures.testImagesDirectory! + "/hello.docker.tar"
            let packed = dir + "/hello.tar.gz"
            try Data(try await ExternalTool.runChecked("gzip", ["-c", plain]).stdoutBytes).write(to: URL(fileURLWithPath: packed))
            let repository = SharedFixtures.uniqueRepository("onepass")
            var digests: [Digest] = []
            for (archive, tag) in [(packed, "gz"), (plain, "plain")] {
                let reference = try Reference(parsing: "\(registry)/\(repository):\(tag)")
                let source = try DockerArchiveSource(path: archive)
                #expect(source.awaitsOnePass == (archive == packed))
                let report = try await TransportReference(docker: reference).withDestination(registry: plainOptions) { destination in
                    try await CopyOperation(source: source, destination: destination, options: CopyOptions(destinationNames: [tag])).run()
                }
                digests.append(try #require(report.entries.first?.descriptor.digest))
            }
            #expect(digests[0] == digests[1])
            let pulled = try await pull(registry, repository: repository, tag: "gz", into: dir + "/back")
            #expect(pulled.entries.first?.descriptor.digest == digests[0])
            let verified = await Verifier(reference: TransportReference(kind: .oci, path: dir + "/back", selector: .name("gz"))).run()
            #expect(verified.errors == 0, "\(verified.problems)")
        }
    }
}
