import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// Writing foreign layers to a docker-archive: the layer's bytes go in like any other layer's,
/// and its item in `manifest.json` gets a `LayerSources` entry for its DiffID with the foreign
/// descriptor (the source's, with its URLs), as `docker save` writes it — in both layouts,
/// deterministically, and readable by skopeo.
@Suite(.enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct DockerArchiveForeignLayerWriteTests {
    static let url = "https://foreign.example/layers/base"

    /// A two-layer image in an OCI layout at `dir/src` whose base layer is made foreign: the
    /// non-distributable media type (gzip or plain, as the image is) and a URL; its blob stays.
    private func foreignImage(_ dir: String, compressed: Bool, seed: UInt64) async throws -> (image: TestImageBuilder.ImageSummary, foreignType: String) {
        var builder = TestImageBuilder(seed: seed)
        builder.addImage(tag: "1.0", layerCount: 2, layerSize: 6000, compressed: compressed)
        let image = try #require(try await builder.write(to: dir + "/src")["1.0"]?.images.first)
        let foreignType = compressed ? MediaType.ociForeignLayerGzip.rawValue : MediaType.ociForeignLayer.rawValue
        try LayoutSurgery(dir + "/src").rewriteManifest(image.manifestDigest, tag: "1.0") { json in
            var layers = json["layers"] as! [[String: Any]]
            layers[0]["mediaType"] = foreignType
            layers[0]["urls"] = [Self.url]
            json["layers"] = layers
        }
        return (image, foreignType)
    }

    /// Copies the layout's image to a docker-archive at `out`.
    private func copy(_ dir: String, to out: String, layout: DockerArchiveDestination.Layout) async throws {
        _ = try await CopyOperation(
            source: try OCILayoutSource(path: dir + "/src"),
            destination: try DockerArchiveDestination(path: out, durable: false, layout: layout),
            options: CopyOptions(destinationNames: ["ferry/foreign:1.0"])
        ).run()
    }

    /// The archive's one `manifest.json` item, read with `tar` and JSONSerialization.
    private func item(of archive: String) async throws -> [String: Any] {
        let bytes = try await DockerArchiveTesting.member("manifest.json", of: archive)
        let items = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [[String: Any]])
        #expect(items.count == 1)
        return try #require(items.first)
    }

    /// Rows: compressed foreign layer (decompressed on the way; the entry keeps the gzip blob's
    /// descriptor) or plain one (copied as it is; the entry is the layer itself), in each layout.
    @Test(arguments: [true, false], [DockerArchiveDestination.Layout.legacy, .docker25])
    func foreignLayerGetsALayerSourcesEntry(_ compressed: Bool, _ layout: DockerArchiveDestination.Layout) async throws {
        try await withTemporaryDirectory { dir in
            let (image, foreignType) = try await foreignImage(dir, compressed: compressed, seed: compressed ? 611 : 612)
            var archives: [Data] = []
            for run in 0..<2 {
                try await copy(dir, to: dir + "/out-\(run).tar", layout: layout)
                archives.append(try #require(FileManager.default.contents(atPath: dir + "/out-\(run).tar")))
            }
            #expect(archives[0] == archives[1], "deterministic")
            let out = dir + "/out-0.tar"

            let item = try await item(of: out)
            let sources = try #require(item["LayerSources"] as? [String: [String: Any]], "\(item)")
            #expect(Array(sources.keys) == [image.diffIDs[0].description], "only the foreign layer, by DiffID: \(sources)")
            let entry = try #require(sources[image.diffIDs[0].description])
            // The blob the URL serves: the gzip one as the source had it, or the plain tar (Docker's name for its type).
            #expect(entry["mediaType"] as? String == (compressed ? foreignType : MediaType.dockerForeignLayer.rawValue), "\(entry)")
            #expect(entry["digest"] as? String == image.layerDigests[0].description)
            #expect(entry["size"] as? Int == image.layerSizes[0])
            #expect(entry["urls"] as? [String] == [Self.url])
            // The layer itself is in the archive, uncompressed, as every layer is.
            #expect((item["Layers"] as? [String])?.count == 2)
            let back = try await Inspector(source: try DockerArchiveSource(path: out)).inspect(.only)
            #expect(back.images.first?.diffIDs == image.diffIDs)
            #expect(back.images.first?.layers.map(\.digest) == image.diffIDs)
            // Reading it back, Ferry says what it does with the foreign layer.
            let notes = try DockerArchiveSource(path: out).notes
            #expect(notes.count == 1 && notes[0].contains(Self.url) && notes[0].contains(image.diffIDs[0].description), "\(notes)")

            if ExternalTool.skopeoAvailable {
                _ = try await ExternalTool.runChecked("skopeo", ["copy", "docker-archive:" + out, "oci:" + dir + "/skopeo:1.0"])
                let copied = try await Inspector(source: try OCILayoutSource(path: dir + "/skopeo")).inspect(.name("1.0"))
                #expect(copied.images.first?.diffIDs == image.diffIDs)
                #expect(copied.images.first?.configDigest == image.configDigest)
            }
        }
    }

    @Test func docker25ManifestKeepsOnlyURLsThatServeTheStoredBytes() async throws {
        try await withTemporaryDirectory { dir in
            for compressed in [true, false] {
                _ = try await foreignImage(dir + "/\(compressed)", compressed: compressed, seed: 613)
                let out = dir + "/\(compressed).tar"
                try await copy(dir + "/\(compressed)", to: out, layout: .docker25)
                // The OCI manifest inside names the blob the archive holds (the plain tar): the
                // gzip blob's URL is left to LayerSources; a plain foreign layer keeps its own.
                let index = try #require(
                    try JSONSerialization.jsonObject(with: Data(try await DockerArchiveTesting.member("index.json", of: out))) as? [String: Any])
                let digest = try #require(((index["manifests"] as? [[String: Any]])?.first?["digest"] as? String)?.split(separator: ":").last)
                let manifest =
                    try JSONSerialization.jsonObject(with: Data(try await DockerArchiveTesting.member("blobs/sha256/\(digest)", of: out))) as? [String: Any]
                let base = try #require((manifest?["layers"] as? [[String: Any]])?.first)
                #expect(base["mediaType"] as? String == MediaType.ociForeignLayer.rawValue)
                #expect((base["urls"] as? [String]) == (compressed ? nil : [Self.url]), "\(base)")
                if ExternalTool.skopeoAvailable {
                    _ = try await ExternalTool.runChecked("skopeo", ["copy", "oci-archive:" + out + ":1.0", "oci:" + dir + "/\(compressed)-skopeo:1.0"])
                }
            }
        }
    }

    /// A recompressed foreign layer has new bytes: the URLs, which serve the old ones, are dropped.
    @Test func recompressedForeignLayerLosesItsURLs() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await foreignImage(dir, compressed: true, seed: 7104)
            let report = try await CopyOperation(
                source: try OCILayoutSource(path: dir + "/src"), destination: try OCILayoutDestination(path: dir + "/out", durable: false),
                options: CopyOptions(compression: try CompressionChoice(parsing: "zstd"))
            ).run()
            #expect(report.layersTranscoded == 2)
            let manifest = try #require(report.entries.first?.descriptor.digest)
            let bytes = try #require(FileManager.default.contents(atPath: dir + "/out/blobs/sha256/" + manifest.encoded))
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text.contains("tar+zstd") && !text.contains(Self.url))
        }
    }

    @Test func imageWithoutForeignLayersHasNoLayerSources() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 614)
            builder.addImage(tag: "1.0", layerCount: 2, compressed: true)
            _ = try await builder.write(to: dir + "/src")
            for layout in DockerArchiveDestination.Layout.allCases {
                let out = dir + "/\(layout.rawValue).tar"
                try await copy(dir, to: out, layout: layout)
                #expect(try await item(of: out)["LayerSources"] == nil)
            }
        }
    }
}
