import Foundation
import FerrySpec
import FerryStreams
import FerryTestSupport
import Testing

/// `ferry inspect --config` and `--platform`: one image's config or manifest bytes, as crane
/// config / manifest print them, and an index's child by platform.
@Suite(.enabled(if: FerryCLI.available, "no ferry binary (swift build, or set FERRY_BIN)"))
struct InspectImageCLITests {
    private func source(_ dir: String, seed: UInt64) async throws -> TestImageBuilder.Summary {
        var builder = TestImageBuilder(seed: seed)
        builder.addImage(tag: "v1", layerCount: 1, layerSize: 1024)
        builder.addIndex(
            tag: "multi",
            platforms: [
                Platform(os: "linux", architecture: "amd64"),
                Platform(os: "linux", architecture: "arm64", variant: "v8"),
            ],
            layerCount: 1, layerSize: 1024)
        return try await builder.write(to: dir + "/src")
    }

    @Test func configAndPlatformPrintExactBytes() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await source(dir, seed: 521)
            let config = try await FerryCLI.run(["inspect", "--config", "oci:\(dir)/src:v1"])
            #expect(config.exitCode == 0, "\(config.stderr)")
            #expect(try DigestHasher.digest(config.stdoutBytes) == summary["v1"]?.images.first?.configDigest)

            let arm = try #require(summary["multi"]?.images.last)
            let manifest = try await FerryCLI.run(["inspect", "--raw", "--platform", "linux/arm64", "oci:\(dir)/src:multi"])
            #expect(manifest.exitCode == 0, "\(manifest.stderr)")
            #expect(try DigestHasher.digest(manifest.stdoutBytes) == arm.manifestDigest)
            let armConfig = try await FerryCLI.run(["inspect", "--config", "--platform", "linux/arm64/v8", "oci:\(dir)/src:multi"])
            #expect(try DigestHasher.digest(armConfig.stdoutBytes) == arm.configDigest)

            let shown = try await FerryCLI.run(["inspect", "--json", "--platform", "linux/arm64", "oci:\(dir)/src:multi"])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdoutBytes)) as? [String: Any])
            #expect((object["images"] as? [[String: Any]])?.map { $0["digest"] as? String } == [arm.manifestDigest.description])
        }
    }

    @Test func anIndexNeedsAPlatformThatItHas() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await source(dir, seed: 522)
            let none = try await FerryCLI.run(["inspect", "--config", "oci:\(dir)/src:multi"])
            #expect(none.exitCode == 1)
            #expect(none.stdout.isEmpty)
            #expect(none.stderr.contains("choose one with --platform (linux/amd64, linux/arm64/v8)"), "\(none.stderr)")
            let wrong = try await FerryCLI.run(["inspect", "--raw", "--platform", "linux/s390x", "oci:\(dir)/src:multi"])
            #expect(wrong.exitCode == 1)
            #expect(wrong.stderr.contains("no image for platform linux/s390x"), "\(wrong.stderr)")
        }
    }
}
