import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// Conversions during a copy: layer compression, manifest format, platform selection — with
/// DiffIDs and configs unchanged and every new digest reported.
@Suite(.enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct ConversionTests {
    private func copy(_ from: String, _ selector: ImageSelector = .only, to: String, _ options: CopyOptions) async throws -> CopyReport {
        try await CopyOperation(
            source: try OCILayoutSource(path: from), destination: try OCILayoutDestination(path: to, durable: false),
            selector: selector, options: options
        ).run()
    }

    private func image(_ layout: String, _ name: String) async throws -> Inspection.Image {
        let inspection = try await Inspector(source: try OCILayoutSource(path: layout)).inspect(.name(name))
        return try #require(inspection.images.first)
    }

    @Test func gzipToZstdToGzipKeepsDiffIDsAndConfig() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 41)
            builder.addImage(tag: "t", layerCount: 3, layerSize: 50_000)
            let summary = try #require(try await builder.write(to: dir + "/src")["t"]?.images.first)
            let zstd = try await copy(dir + "/src", to: dir + "/zstd", CopyOptions(destinationNames: ["t"], compression: .to(.zstd, level: nil)))
            #expect(zstd.layersTranscoded == 3)
            let z = try await image(dir + "/zstd", "t")
            #expect(z.layers.allSatisfy { $0.mediaType == .ociLayerZstd })
            #expect(z.diffIDs == summary.diffIDs)
            #expect(z.configDigest == summary.configDigest)
            for layer in z.layers {
                let bytes = try #require(FileManager.default.contents(atPath: dir + "/zstd/blobs/sha256/" + layer.digest.encoded))
                #expect(CompressionSniffer.detect(Array(bytes.prefix(8))) == .zstd)
            }
            _ = try await copy(dir + "/zstd", to: dir + "/gzip", CopyOptions(destinationNames: ["t"], compression: .to(.gzip, level: nil)))
            let g = try await image(dir + "/gzip", "t")
            #expect(g.layers.allSatisfy { $0.mediaType == .ociLayerGzip })
            #expect(g.diffIDs == summary.diffIDs)
            #expect(g.configDigest == summary.configDigest)
            try expectEveryBlobMatchesItsName(dir + "/gzip")
        }
    }

    @Test func digestMapNamesEveryChangedDigest() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 42)
            builder.addImage(tag: "t", layerCount: 2)
            let summary = try #require(try await builder.write(to: dir + "/src")["t"])
            let report = try await copy(dir + "/src", to: dir + "/out", CopyOptions(compression: .to(.zstd, level: 3)))
            let newManifest = try #require(report.entries.first?.descriptor.digest)
            #expect(report.digestMap[summary.digest] == newManifest)
            for layer in summary.images[0].layerDigests { #expect(report.digestMap[layer] != nil) }
            #expect(report.digestMap[summary.images[0].configDigest] == nil, "configs are never rewritten")
        }
    }

    /// Determinism: the same recompression twice, and with 1 and with 4 blobs at once, gives the same digests.
    @Test(arguments: [(LayerCompression.zstd, 1), (.gzip, 1), (.zstd, 4), (.gzip, 4)])
    func recompressionIsDeterministic(_ compression: LayerCompression, _ parallelism: Int) async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 43)
            builder.addImage(tag: "t", layerCount: 4, layerSize: 40_000)
            _ = try await builder.write(to: dir + "/src")
            let first = try await copy(dir + "/src", to: dir + "/a", CopyOptions(parallelism: parallelism, compression: .to(compression, level: nil)))
            let second = try await copy(dir + "/src", to: dir + "/b", CopyOptions(parallelism: 1, compression: .to(compression, level: nil)))
            #expect(first.entries.map(\.descriptor.digest) == second.entries.map(\.descriptor.digest))
            #expect(first.digestMap == second.digestMap)
        }
    }

    @Test func ociToDockerAndBackKeepsConfigAndLayers() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 44)
            builder.addImage(tag: "t", layerCount: 2)
            let summary = try #require(try await builder.write(to: dir + "/src")["t"]?.images.first)
            _ = try await copy(dir + "/src", to: dir + "/docker", CopyOptions(destinationNames: ["t"], format: .v2s2))
            let d = try await image(dir + "/docker", "t")
            #expect(d.mediaType == .dockerManifest)
            #expect(d.configMediaType == .dockerConfig)
            #expect(d.layers.allSatisfy { $0.mediaType == .dockerLayerGzip })
            #expect(d.layers.map(\.digest) == summary.layerDigests, "format conversion never touches layer bytes")
            _ = try await copy(dir + "/docker", to: dir + "/oci", CopyOptions(destinationNames: ["t"], format: .oci))
            let o = try await image(dir + "/oci", "t")
            #expect(o.mediaType == .ociManifest)
            #expect(o.configMediaType == .ociConfig)
            #expect(o.configDigest == summary.configDigest)
            #expect(o.layers.map(\.digest) == summary.layerDigests)
            #expect(o.layers.allSatisfy { $0.mediaType == .ociLayerGzip })
            // Converting is a function of the document: the same input gives the same bytes.
            _ = try await copy(dir + "/oci", to: dir + "/docker2", CopyOptions(destinationNames: ["t"], format: .v2s2))
            #expect(try await image(dir + "/docker2", "t").digest == d.digest)
        }
    }

    @Test func zstdCannotBeDockerSchema2() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 45)
            builder.addImage(tag: "t", layerCount: 1)
            _ = try await builder.write(to: dir + "/src")
            let error = await #expect(throws: EngineError.self) {
                _ = try await copy(dir + "/src", to: dir + "/out", CopyOptions(format: .v2s2, compression: .to(.zstd, level: nil)))
            }
            #expect(error?.message.contains("zstd") == true)
            #expect(!FileManager.default.fileExists(atPath: dir + "/out/index.json"))
        }
    }

    @Test func platformSelectionKeepsOnlyThatManifest() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 46)
            builder.addIndex(tag: "m", platforms: [Platform(os: "linux", architecture: "amd64"), Platform(os: "linux", architecture: "arm64", variant: "v8")])
            let summary = try #require(try await builder.write(to: dir + "/src")["m"])
            let arm = try #require(summary.images.first { $0.platform.architecture == "arm64" })
            let report = try await copy(dir + "/src", to: dir + "/out", CopyOptions(platforms: [try Platform(parsing: "linux/arm64")]))
            #expect(report.entries.first?.descriptor.digest == arm.manifestDigest)
            #expect(report.blobsCopied == 1 + arm.layerDigests.count)
            let error = await #expect(throws: EngineError.self) {
                _ = try await copy(dir + "/src", to: dir + "/none", CopyOptions(platforms: [try Platform(parsing: "linux/s390x")]))
            }
            #expect(error?.message.contains("linux/amd64") == true)
        }
    }

    @Test func preserveDigestsRefusesAnyChangeBeforeMovingBytes() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 47)
            builder.addImage(tag: "t", layerCount: 1)
            _ = try await builder.write(to: dir + "/src")
            let error = await #expect(throws: EngineError.self) {
                _ = try await copy(dir + "/src", to: dir + "/out", CopyOptions(format: .v2s2, preserveDigests: true))
            }
            #expect(error?.message.contains("--preserve-digests") == true)
            #expect(!FileManager.default.fileExists(atPath: dir + "/out/blobs"))
            _ = try await copy(dir + "/src", to: dir + "/ok", CopyOptions(format: .oci, preserveDigests: true))
        }
    }

    @Test func diffIDMismatchIsCaughtWhileRecompressing() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 48)
            builder.addImage(tag: "t", layerCount: 2)
            let summary = try #require(try await builder.write(to: dir + "/src")["t"]?.images.first)
            // Swap the config's DiffIDs, keeping the config a valid blob with a correct digest.
            try LayoutSurgery(dir + "/src").editConfig(of: summary, tag: "t") { config in
                var rootfs = config["rootfs"] as! [String: Any]
                rootfs["diff_ids"] = Array((rootfs["diff_ids"] as! [String]).reversed())
                config["rootfs"] = rootfs
            }
            let error = await #expect(throws: StreamError.self) {
                _ = try await copy(dir + "/src", to: dir + "/out", CopyOptions(compression: .to(.zstd, level: nil)))
            }
            #expect(error?.code == .digestMismatch)
            #expect(error?.message.contains("DiffID") == true)
            try expectEveryBlobMatchesItsName(dir + "/out")
        }
    }
}
