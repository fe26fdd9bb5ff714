import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// A rerun of a recompressing copy takes the layers that landed instead of recompressing the
/// source again (issue 12, item 9).
@Suite(.enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct TranscodeCacheTests {
    private func copy(_ dir: String, cache: TranscodeCache?) async throws -> CopyReport {
        var options = CopyOptions(compression: try CompressionChoice(parsing: "gzip"))
        options.transcodeCache = cache
        return try await CopyOperation(
            source: try OCILayoutSource(path: dir + "/src"), destination: try OCILayoutDestination(path: dir + "/dst", durable: false), selector: .name("v1"),
            options: options
        ).run()
    }

    @Test func rerunTakesLandedLayersWithoutReadingTheSource() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 1296)
            builder.addImage(tag: "v1", layerCount: 2, layerSize: 50_000, compressed: false)
            let summary = try await builder.write(to: dir + "/src")
            let cache = TranscodeCache(path: dir + "/cache/transcoded")

            let first = try await copy(dir, cache: cache)
            #expect(first.layersTranscoded == 2)
            // Another process reading the same file knows it too.
            let second = try await copy(dir, cache: TranscodeCache(path: dir + "/cache/transcoded"))
            #expect(second.layersTranscoded == 0)
            #expect(second.blobsSkipped == 3)
            #expect(second.entries.map(\.descriptor.digest) == first.entries.map(\.descriptor.digest))
            #expect(second.digestMap == first.digestMap)

            // Not read at all: the rerun succeeds with the source layers gone.
            for layer in try #require(summary["v1"]?.images.first?.layerDigests) { try LayoutSurgery(dir + "/src").remove(layer) }
            let third = try await copy(dir, cache: cache)
            #expect(third.layersTranscoded == 0)
            #expect(third.entries.map(\.descriptor.digest) == first.entries.map(\.descriptor.digest))
        }
    }

    @Test func withoutTheCacheOrWithoutTheLandedLayerItRecompresses() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 1297)
            builder.addImage(tag: "v1", layerCount: 2, layerSize: 20_000, compressed: false)
            _ = try await builder.write(to: dir + "/src")
            let cache = TranscodeCache(path: dir + "/cache/transcoded")
            let first = try await copy(dir, cache: cache)
            #expect(try await copy(dir, cache: nil).layersTranscoded == 2)
            // The cache alone is not enough: the landed layer must be there.
            try FileManager.default.removeItem(atPath: dir + "/dst")
            let again = try await copy(dir, cache: cache)
            #expect(again.layersTranscoded == 2)
            #expect(again.entries.map(\.descriptor.digest) == first.entries.map(\.descriptor.digest))
        }
    }
}
