import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// The DiffID cache: schema 1 → OCI remembers each layer's DiffID and, the next time, copies the
/// layer without inflating it.
@Suite(.enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct DiffIDCacheTests {
    /// A generated image written as unsigned schema 1 into `dir/v2s1`.
    private func makeSchema1(_ dir: String) async throws -> TestImageBuilder.ImageSummary {
        var builder = TestImageBuilder(seed: 12)
        builder.addImage(tag: "t", layerCount: 3, layerSize: 30_000)
        let summary = try #require(try await builder.write(to: dir + "/src")["t"]?.images.first)
        var options = CopyOptions()
        options.schema1Output = .unsigned
        _ = try await CopyOperation(
            source: try OCILayoutSource(path: dir + "/src"), destination: try DirectoryDestination(path: dir + "/v2s1", durable: false), options: options
        ).run()
        return summary
    }

    private func convert(_ dir: String, to name: String, cache: DiffIDCache?) async throws -> [Digest] {
        var options = CopyOptions()
        options.diffIDCache = cache
        _ = try await CopyOperation(
            source: try DirectorySource(path: dir + "/v2s1"), destination: try OCILayoutDestination(path: dir + "/" + name, durable: false), options: options
        ).run()
        let image = try #require(try await Inspector(source: try OCILayoutSource(path: dir + "/" + name)).inspect(.only).images.first)
        return try #require(image.diffIDs)
    }

    @Test func firstConversionRecordsDiffIDsAndTheNextUsesThem() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await makeSchema1(dir)
            let path = dir + "/cache/diffids"
            let first = try await convert(dir, to: "one", cache: DiffIDCache(path: path))
            #expect(first == summary.diffIDs)
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == summary.layerDigests.count)
            for (layer, diffID) in zip(summary.layerDigests, summary.diffIDs) {
                #expect(lines.contains("\(layer) \(diffID)"))
            }
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600)
            // A fresh process (a new cache object) reads the file back.
            let reloaded = DiffIDCache(path: path)
            #expect(reloaded[summary.layerDigests[0]] == summary.diffIDs[0])
            #expect(try await convert(dir, to: "two", cache: reloaded) == summary.diffIDs)
        }
    }

    /// Proves a hit skips inflating: a cache that lies is believed (which is why the file is the
    /// user's own and `--no-cache` exists), while no cache gives the true DiffID.
    @Test func hitIsUsedInsteadOfInflatingAndBadLinesAreIgnored() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await makeSchema1(dir)
            let path = dir + "/diffids"
            let planted = try DigestHasher.digest(Array("not the layer".utf8))
            let text = "garbage line\nsha256:zz \(planted)\n\(summary.layerDigests[1]) \(planted)\n"
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            let cache = DiffIDCache(path: path)
            #expect(cache[summary.layerDigests[0]] == nil)
            let believed = try await convert(dir, to: "cached", cache: cache)
            #expect(believed[1] == planted)
            #expect(believed[0] == summary.diffIDs[0] && believed[2] == summary.diffIDs[2])
            #expect(try await convert(dir, to: "plain", cache: nil) == summary.diffIDs)
        }
    }

    @Test func standardLocationFollowsTheEnvironment() {
        #expect(DiffIDCache.standard(environment: ["FERRY_CACHE_DIR": "/c", "HOME": "/h"])?.path == "/c/diffids")
        #expect(DiffIDCache.standard(environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"])?.path == "/x/ferry/diffids")
        #expect(DiffIDCache.standard(environment: ["HOME": "/h"])?.path == "/h/.cache/ferry/diffids")
        #expect(DiffIDCache.standard(environment: [:]) == nil)
    }
}
