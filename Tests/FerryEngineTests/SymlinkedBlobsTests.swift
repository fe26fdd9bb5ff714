import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// `blobs/sha256` symlinked outside the layout: verify flagged it, copy followed it. Both refuse
/// now (issue 12, item 7: copy and verify agree).
@Suite(.enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct SymlinkedBlobsTests {
    @Test func blobDirectoryLinkedOutsideIsRefusedByCopyAndVerify() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 1295)
            builder.addImage(tag: "v1", layerCount: 1, layerSize: 1024)
            _ = try await builder.write(to: dir + "/src")
            try FileManager.default.moveItem(atPath: dir + "/src/blobs/sha256", toPath: dir + "/elsewhere")
            try FileManager.default.createSymbolicLink(atPath: dir + "/src/blobs/sha256", withDestinationPath: dir + "/elsewhere")

            do {
                _ = try await CopyOperation(
                    source: try OCILayoutSource(path: dir + "/src"), destination: try OCILayoutDestination(path: dir + "/dst", durable: false),
                    selector: .name("v1")
                ).run()
                Issue.record("copy read blobs through a symlink that leaves the layout")
            } catch {
                #expect("\(error)".contains("outside the layout"), "\(error)")
            }
            let report = await Verifier(reference: try TransportReference(parsing: "oci:\(dir)/src")).run()
            #expect(report.status == .invalid)
        }
    }
}
