import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// Layout → layout copies: bytes untouched, names kept or given, existing layouts added to.
@Suite(.enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct LayoutCopyTests {
    @Test func copyKeepsManifestDigestAndEveryBlob() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 11)
            builder.addImage(tag: "1.0", layerCount: 3, layerSize: 20_000)
            let summary = try await builder.write(to: dir + "/src")
            let report = try await CopyOperation(
                source: try OCILayoutSource(path: dir + "/src"),
                destination: try OCILayoutDestination(path: dir + "/dst"),
                selector: .name("1.0"),
                options: CopyOptions(destinationNames: ["copied"])
            ).run()
            let expected = try #require(summary["1.0"])
            #expect(report.entries.map(\.descriptor.digest) == [expected.digest])
            #expect(report.blobsCopied == 4)  // config + 3 layers
            let copied = try OCILayoutSource(path: dir + "/dst")
            let entry = try await copied.entry(matching: .name("copied"))
            #expect(entry.descriptor.digest == expected.digest)
            try expectEveryBlobMatchesItsName(dir + "/dst")
            for digest in expected.images[0].layerDigests {
                #expect(
                    FileManager.default.contents(atPath: dir + "/dst/blobs/sha256/" + digest.encoded)
                        == FileManager.default.contents(atPath: dir + "/src/blobs/sha256/" + digest.encoded))
            }
        }
    }

    @Test func copyIntoExistingLayoutAddsAndSkipsPresentBlobs() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 12)
            builder.addImage(tag: "a", layerCount: 2)
            builder.addImage(tag: "b", layerCount: 2)
            let summary = try await builder.write(to: dir + "/src")
            let source = try OCILayoutSource(path: dir + "/src")
            _ = try await CopyOperation(source: source, destination: try OCILayoutDestination(path: dir + "/dst"), selector: .name("a")).run()
            let second = try await CopyOperation(source: source, destination: try OCILayoutDestination(path: dir + "/dst"), selector: .name("b")).run()
            #expect(second.blobsCopied == 3)
            let again = try await CopyOperation(source: source, destination: try OCILayoutDestination(path: dir + "/dst"), selector: .name("b")).run()
            #expect(again.blobsCopied == 0)
            #expect(again.blobsSkipped == 3)
            let entries = try await OCILayoutSource(path: dir + "/dst").entries()
            #expect(entries.map(\.names) == [["a"], ["b"]])
            #expect(entries.map(\.descriptor.digest) == [summary["a"]?.digest, summary["b"]?.digest])
        }
    }

    @Test func nameGivenAgainMovesToTheNewImage() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 13)
            builder.addImage(tag: "a", layerCount: 1)
            builder.addImage(tag: "b", layerCount: 1)
            let summary = try await builder.write(to: dir + "/src")
            let source = try OCILayoutSource(path: dir + "/src")
            for tag in ["a", "b"] {
                _ = try await CopyOperation(
                    source: source, destination: try OCILayoutDestination(path: dir + "/dst"),
                    selector: .name(tag), options: CopyOptions(destinationNames: ["latest"])
                ).run()
            }
            let latest = try await OCILayoutSource(path: dir + "/dst").entry(matching: .name("latest"))
            #expect(latest.descriptor.digest == summary["b"]?.digest)
        }
    }

    @Test func multiPlatformIndexIsCopiedWhole() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 14)
            builder.addIndex(
                tag: "multi", platforms: [Platform(os: "linux", architecture: "amd64"), Platform(os: "linux", architecture: "arm64", variant: "v8")])
            let summary = try await builder.write(to: dir + "/src")
            let report = try await CopyOperation(
                source: try OCILayoutSource(path: dir + "/src"),
                destination: try OCILayoutDestination(path: dir + "/dst")
            ).run()
            #expect(report.entries.first?.descriptor.digest == summary["multi"]?.digest)
            #expect(report.documentsWritten == 3)
            let inspection = try await Inspector(source: try OCILayoutSource(path: dir + "/dst")).inspect(.name("multi"))
            #expect(inspection.platforms == ["linux/amd64", "linux/arm64/v8"])
            #expect(inspection.images.count == 2)
            try expectEveryBlobMatchesItsName(dir + "/dst")
        }
    }

    @Test func allCopiesEveryEntryWithItsNames() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 15)
            builder.addImage(tag: "one", layerCount: 1)
            builder.addImage(tag: "two", layerCount: 0)
            _ = try await builder.write(to: dir + "/src")
            let report = try await CopyOperation(
                source: try OCILayoutSource(path: dir + "/src"),
                destination: try OCILayoutDestination(path: dir + "/dst"), selector: .all
            ).run()
            #expect(report.entries.map(\.names) == [["one"], ["two"]])
            #expect(try await OCILayoutSource(path: dir + "/dst").entries().count == 2)
        }
    }

    @Test func unknownMediaTypeBlobIsCarriedVerbatim() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 16)
            builder.addImage(tag: "x", layerCount: 1)
            let summary = try await builder.write(to: dir + "/src")
            let manifestDigest = try #require(summary["x"]?.digest)
            // Rewrite the manifest with an unknown layer media type: still a valid image to copy.
            let rewritten = try LayoutSurgery(dir + "/src").rewriteManifest(manifestDigest, tag: "x") { json in
                var layers = json["layers"] as! [[String: Any]]
                layers[0]["mediaType"] = "application/vnd.example.unknown.layer"
                json["layers"] = layers
            }
            let report = try await CopyOperation(
                source: try OCILayoutSource(path: dir + "/src"),
                destination: try OCILayoutDestination(path: dir + "/dst")
            ).run()
            #expect(report.entries.first?.descriptor.digest == rewritten)
            try expectEveryBlobMatchesItsName(dir + "/dst")
        }
    }
}

/// Every file under `blobs/<alg>/` must hash to its own name: the rule "nothing unverified lands".
func expectEveryBlobMatchesItsName(_ layout: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let algorithmDirectory = layout + "/blobs/sha256"
    guard FileManager.default.fileExists(atPath: algorithmDirectory) else { return }
    for name in try FileManager.default.contentsOfDirectory(atPath: algorithmDirectory) {
        let bytes = [UInt8](try #require(FileManager.default.contents(atPath: algorithmDirectory + "/" + name)))
        let digest = try DigestHasher.digest(bytes)
        #expect(digest.encoded == name, "blob \(name) in \(layout) holds content with digest \(digest)", sourceLocation: sourceLocation)
    }
}
