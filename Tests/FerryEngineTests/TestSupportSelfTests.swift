import Foundation
import FerrySpec
import FerryStreams
import FerryTestSupport
import Testing

/// The test helpers must be right before they can judge Ferry: real peers check what
/// ``TestImageBuilder`` writes.
@Suite struct TestImageBuilderSelfTests {
    private struct SkopeoInspect: Decodable {
        var digest: String
        var layers: [String]
        enum CodingKeys: String, CodingKey {
            case digest = "Digest"
            case layers = "Layers"
        }
    }

    @Test(.enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
    func sameSeedGivesSameDigests() async throws {
        func build() async throws -> TestImageBuilder.Summary {
            var builder = TestImageBuilder(seed: 7)
            builder.addImage(tag: "a", layerCount: 2, layerSize: 3000)
            builder.addImage(tag: "plain", layerCount: 1, layerSize: 100, compressed: false)
            return try await withTemporaryDirectory { try await builder.write(to: $0) }
        }
        let first = try await build()
        let second = try await build()
        #expect(first == second)
        #expect(first["a"]?.images.first?.layerDigests.count == 2)
    }

    @Test(.enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
    func differentSeedsGiveDifferentImages() async throws {
        func digest(seed: UInt64) async throws -> Digest? {
            var builder = TestImageBuilder(seed: seed)
            builder.addImage(tag: "a", layerCount: 1, layerSize: 512)
            return try await withTemporaryDirectory { try await builder.write(to: $0) }.manifestDigests["a"]
        }
        #expect(try await digest(seed: 1) != digest(seed: 2))
    }

    @Test(.enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
    func uncompressedLayerDigestIsItsDiffID() async throws {
        var builder = TestImageBuilder(seed: 3)
        builder.addImage(tag: "plain", layerCount: 2, layerSize: 2000, compressed: false)
        builder.addImage(tag: "gz", layerCount: 2, layerSize: 2000, compressed: true)
        let summary = try await withTemporaryDirectory { try await builder.write(to: $0) }
        let plain = try #require(summary["plain"]?.images.first)
        let gz = try #require(summary["gz"]?.images.first)
        #expect(plain.layerDigests == plain.diffIDs)
        #expect(gz.layerDigests != gz.diffIDs)
    }

    @Test(
        .enabled(if: ExternalTool.ociImageToolAvailable, "oci-image-tool not installed"),
        .enabled(if: ExternalTool.skopeoAvailable, "skopeo not installed"),
        .enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
    func twoLayerImageIsAcceptedByOCIImageToolAndSkopeo() async throws {
        var builder = TestImageBuilder(seed: 42)
        builder.addImage(tag: "v1", layerCount: 2, layerSize: 4096)
        builder.addIndex(
            tag: "multi",
            platforms: [
                Platform(os: "linux", architecture: "amd64"),
                Platform(os: "linux", architecture: "arm64", variant: "v8"),
            ], layerCount: 1, layerSize: 1024)
        try await withTemporaryDirectory { directory in
            let layout = directory + "/layout"
            let summary = try await builder.write(to: layout)
            let image = try #require(summary["v1"]?.images.first)

            // Debian's oci-image-tool (1.0.0-rc1) has no `imageLayout` type: `image` on a
            // directory validates the layout and the named reference.
            let validation = try await ExternalTool.run(
                "oci-image-tool", ["validate", "--type", "image", "--ref", "name=v1", layout])
            #expect(validation.exitCode == 0, "oci-image-tool: \(validation.stdout) \(validation.stderr)")

            let inspect = try await ExternalTool.runChecked("skopeo", ["inspect", "oci:\(layout):v1"])
            let decoded = try JSONDecoder().decode(SkopeoInspect.self, from: Data(inspect.stdoutBytes))
            #expect(decoded.digest == image.manifestDigest.description)
            #expect(decoded.layers == image.layerDigests.map(\.description))

            let raw = try await ExternalTool.runChecked("skopeo", ["inspect", "--raw", "oci:\(layout):multi"])
            let indexDigest = try #require(summary["multi"]?.digest)
            #expect(try DigestHasher.digest(raw.stdoutBytes) == indexDigest)
        }
    }
}

/// ``ExternalTool/run(_:_:stdin:environment:currentDirectory:)`` must pass bytes through
/// unchanged and must not stall on output larger than a pipe buffer.
@Suite struct ExternalToolSelfTests {
    @Test(.enabled(if: ExternalTool.find("cat") != nil, "cat not installed"))
    func stdinReachesStdoutByteForByte() async throws {
        let input = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let result = try await ExternalTool.runChecked("cat", [], stdin: input)
        #expect(result.stdoutBytes == input)
    }

    @Test(.enabled(if: ExternalTool.find("sh") != nil, "sh not installed"))
    func largeOutputOnBothStreamsDoesNotDeadlock() async throws {
        let result = try await ExternalTool.run(
            "sh", ["-c", "head -c 3000000 /dev/zero; head -c 2000000 /dev/zero >&2; exit 3"])
        #expect(result.exitCode == 3)
        #expect(result.stdoutBytes.count == 3_000_000)
        #expect(result.stderrBytes.count == 2_000_000)
    }

    @Test func missingToolIsReportedNotLaunched() async throws {
        #expect(ExternalTool.find("ferry-no-such-tool") == nil)
        await #expect(throws: ExternalToolError.self) {
            try await ExternalTool.run("ferry-no-such-tool", [])
        }
    }
}
