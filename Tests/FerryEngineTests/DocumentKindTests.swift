import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// A descriptor that labels an image manifest as an index, or an index as a manifest: copy
/// refuses it (it used to copy an image as an empty index) and verify reports it, both naming
/// the contradiction.
@Suite(.enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct DocumentKindTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var isIndex: Bool
        var label: String
        var expected: String
        var testDescription: String { "\(isIndex ? "index" : "manifest") labelled \(label)" }
    }

    static let cases = [
        Case(isIndex: false, label: TestImageBuilder.MediaTypes.index, expected: "its content is an image manifest"),
        Case(isIndex: false, label: MediaType.dockerManifestList.rawValue, expected: "its content is an image manifest"),
        Case(isIndex: true, label: TestImageBuilder.MediaTypes.manifest, expected: "its content is an index"),
    ]

    private func layout(_ dir: String, _ c: Case) async throws {
        var builder = TestImageBuilder(seed: 1260)
        if c.isIndex {
            builder.addIndex(tag: "x", platforms: [Platform(os: "linux", architecture: "amd64")], layerCount: 1, layerSize: 512)
        } else {
            builder.addImage(tag: "x", layerCount: 1, layerSize: 512)
        }
        _ = try await builder.write(to: dir + "/src")
        try LayoutSurgery(dir + "/src").editFirstIndexEntry { $0["mediaType"] = c.label }
    }

    @Test(arguments: cases) func copyRefuses(_ c: Case) async throws {
        try await withTemporaryDirectory { dir in
            try await layout(dir, c)
            do {
                _ = try await CopyOperation(
                    source: try OCILayoutSource(path: dir + "/src"), destination: try OCILayoutDestination(path: dir + "/dst", durable: false),
                    selector: .name("x")
                ).run()
                Issue.record("copied a document whose content contradicts its media type")
            } catch {
                #expect("\(error)".contains(c.expected), "\(error)")
            }
            #expect(!FileManager.default.fileExists(atPath: dir + "/dst/index.json"))
        }
    }

    @Test(arguments: cases) func verifyReports(_ c: Case) async throws {
        try await withTemporaryDirectory { dir in
            try await layout(dir, c)
            let report = await Verifier(reference: try TransportReference(parsing: "oci:\(dir)/src")).run()
            #expect(report.status == .invalid)
            #expect(report.problems.contains { $0.code == .mediaTypeMismatch && $0.message.contains(c.expected) }, "\(report.problems.map(\.message))")
        }
    }
}
