import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// Sizes a manifest declares near 2^63: `verify`, `inspect` and `copy` give an error, never an
/// arithmetic-overflow trap (which would end this test process).
@Suite(.enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct HugeDeclaredSizeTests {
    /// One row: the sizes written into the manifest, and whether they add up past `Int64.max`.
    struct Sizes: Sendable, CustomTestStringConvertible {
        var config: Int64?
        var layers: [Int64]
        var overflows: Bool
        var testDescription: String { "config \(config.map(String.init) ?? "as is"), layers \(layers)" }
    }

    static let rows: [Sizes] = [
        Sizes(config: nil, layers: [Int64.max], overflows: true),
        Sizes(config: nil, layers: [1 << 62, 1 << 62], overflows: true),
        Sizes(config: nil, layers: [Int64.max, Int64.max], overflows: true),
        Sizes(config: Int64.max, layers: [1], overflows: true),
        Sizes(config: Int64.max, layers: [], overflows: false),
        Sizes(config: nil, layers: [1 << 62, (1 << 62) - 4096], overflows: false),
    ]

    private func layout(_ dir: String, _ sizes: Sizes) async throws -> Digest {
        var builder = TestImageBuilder(seed: 1240)
        builder.addImage(tag: "big", layerCount: max(1, sizes.layers.count), layerSize: 1024)
        let summary = try await builder.write(to: dir + "/src")
        let digest = try #require(summary["big"]?.digest)
        return try LayoutSurgery(dir + "/src").rewriteManifest(digest, tag: "big") { json in
            if let config = sizes.config {
                var c = json["config"] as! [String: Any]
                c["size"] = NSNumber(value: config)
                json["config"] = c
            }
            var layers = json["layers"] as! [[String: Any]]
            layers = Array(layers.prefix(sizes.layers.count))
            for (i, size) in sizes.layers.enumerated() { layers[i]["size"] = NSNumber(value: size) }
            json["layers"] = layers
        }
    }

    @Test(arguments: rows) func verifyReportsAnError(_ sizes: Sizes) async throws {
        try await withTemporaryDirectory { dir in
            _ = try await layout(dir, sizes)
            for mode in [VerificationReport.Mode.fast, .full] {
                let report = await Verifier(reference: try TransportReference(parsing: "oci:\(dir)/src:big"), options: VerifyOptions(mode: mode)).run()
                #expect(report.status == .invalid)
                if sizes.overflows {
                    #expect(report.problems.contains { $0.message.contains("2^63") }, "\(report.problems.map(\.message))")
                }
            }
        }
    }

    @Test(arguments: rows) func inspectGivesAnErrorOrTheSizes(_ sizes: Sizes) async throws {
        try await withTemporaryDirectory { dir in
            _ = try await layout(dir, sizes)
            let inspector = Inspector(source: try OCILayoutSource(path: dir + "/src"))
            if sizes.overflows {
                do {
                    _ = try await inspector.inspect(.name("big"))
                    Issue.record("inspect accepted sizes adding up past 2^63−1")
                } catch {
                    #expect("\(error)".contains("2^63"), "\(error)")
                }
            } else if sizes.config == nil {
                let inspection = try await inspector.inspect(.name("big"))
                #expect(inspection.images.first?.layersSize == sizes.layers.reduce(0, +))
            } else {
                await #expect(throws: (any Error).self) { _ = try await inspector.inspect(.name("big")) }
            }
        }
    }

    @Test(arguments: rows) func copyRefuses(_ sizes: Sizes) async throws {
        try await withTemporaryDirectory { dir in
            _ = try await layout(dir, sizes)
            await #expect(throws: (any Error).self) {
                _ = try await CopyOperation(
                    source: try OCILayoutSource(path: dir + "/src"), destination: try OCILayoutDestination(path: dir + "/dst", durable: false),
                    selector: .name("big")
                ).run()
            }
        }
    }

    @Test func byteSumsDoNotTrap() {
        #expect(ByteSum.exact([Int64.max, 1]) == nil)
        #expect(ByteSum.exact([1 << 62, 1 << 62]) == nil)
        #expect(ByteSum.exact([1 << 62, (1 << 62) - 1]) == Int64.max)
        #expect(ByteSum.clamped([Int64.max, Int64.max]) == Int64.max)
        #expect(ByteSum.adding(Int64.min, -1) == Int64.min)
    }
}
