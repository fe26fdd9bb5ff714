import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// A compressed docker-archive is read once, front to back: the copy lands layers as they pass,
/// before `manifest.json` (the last member) says what they are, and the result is the same as the
/// copy of the uncompressed archive, blob for blob.
@Suite(
    .enabled(if: DockerArchiveTesting.helloArchive != nil, "no TestImages/hello.docker.tar"),
    .enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct DockerArchiveOnePassTests {
    /// `archive` compressed with `tool` (`gzip`, `zstd`, `xz`) next to it.
    private func compressed(_ archive: String, with tool: String, into dir: String) async throws -> String {
        let output = dir + "/" + (archive as NSString).lastPathComponent + "." + tool
        let bytes = try await ExternalTool.runChecked(tool, ["-c", archive]).stdoutBytes
        try Data(bytes).write(to: URL(fileURLWithPath: output))
        return output
    }

    /// Copies to a new OCI layout with the default options (gzip layers: the layers are transcoded).
    @discardableResult
    private func copy(_ archive: String, _ selector: ImageSelector = .only, to layout: String) async throws -> CopyReport {
        try await CopyOperation(
            source: try DockerArchiveSource(path: archive), destination: try OCILayoutDestination(path: layout, durable: false),
            selector: selector
        ).run()
    }

    /// The layout's `index.json` and its blob names.
    private func contents(of layout: String) throws -> (index: Data, blobs: [String]) {
        (try Data(contentsOf: URL(fileURLWithPath: layout + "/index.json")), blobNames(in: layout))
    }

    /// The names of the files under `blobs/sha256` (none when it is missing).
    private func blobNames(in layout: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: layout + "/blobs/sha256")) ?? []).sorted()
    }

    @Test(arguments: ["gzip", "zstd", "xz"])
    func compressedArchiveGivesTheSameLayoutAsThePlainOne(tool: String) async throws {
        guard ExternalTool.find(tool) != nil else { return }
        try await withTemporaryDirectory { dir in
            let plain = try #require(DockerArchiveTesting.helloArchive)
            let packed = try await compressed(plain, with: tool, into: dir)
            let source = try DockerArchiveSource(path: packed)
            #expect(source.awaitsOnePass)
            let report = try await CopyOperation(source: source, destination: try OCILayoutDestination(path: dir + "/one-pass", durable: false)).run()
            #expect(!source.awaitsOnePass)
            #expect(report.layersTranscoded == 2)
            try await copy(plain, to: dir + "/plain")
            let (onePass, reference) = (try contents(of: dir + "/one-pass"), try contents(of: dir + "/plain"))
            #expect(onePass.index == reference.index)
            #expect(onePass.blobs == reference.blobs)
            #expect(onePass.blobs.count == 4)  // manifest, config, two layers
        }
    }

    @Test func layersKeptAsTheyAreLandVerbatim() async throws {
        try await withTemporaryDirectory { dir in
            let plain = try #require(DockerArchiveTesting.helloArchive)
            let packed = try await compressed(plain, with: "gzip", into: dir)
            let inspected = try await DockerArchiveTesting.copyToLayout(try DockerArchiveSource(path: packed), .only, layout: dir + "/keep")
            #expect(inspected.first?.images.first?.layers.map(\.digest) == DockerArchiveTesting.helloDiffIDs)
        }
    }

    @Test func aDocker25ArchiveKeepsItsStoredManifest() async throws {
        try await withTemporaryDirectory { dir in
            let plain = try #require(DockerArchiveTesting.helloArchive)
            let docker25 = dir + "/d25.tar"
            _ = try await CopyOperation(
                source: try DockerArchiveSource(path: plain), destination: try DockerArchiveDestination(path: docker25, durable: false, layout: .docker25)
            ).run()
            let stored = try await DockerArchiveSource(path: docker25).entries()
            let packed = try await compressed(docker25, with: "gzip", into: dir)
            let report = try await copy(packed, to: dir + "/out")
            #expect(report.entries.map(\.descriptor.digest) == stored.map(\.descriptor.digest))
            #expect(report.layersTranscoded == 0)
            try await copy(docker25, to: dir + "/reference")
            #expect(try contents(of: dir + "/out").blobs == (try contents(of: dir + "/reference")).blobs)
        }
    }

    @Test func selectingOneImageLeavesNoBlobOfTheOthers() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 4401)
            builder.addImage(tag: "one", layerCount: 2, layerSize: 20_000, compressed: false)
            builder.addImage(tag: "two", layerCount: 3, layerSize: 30_000, compressed: false)
            _ = try await builder.write(to: dir + "/src")
            let archive = dir + "/two.tar"
            _ = try await CopyOperation(
                source: try OCILayoutSource(path: dir + "/src"), destination: try DockerArchiveDestination(path: archive, durable: false),
                selector: .all
            ).run()
            let packed = try await compressed(archive, with: "gzip", into: dir)
            try await copy(packed, .index(1), to: dir + "/out")
            try await copy(archive, .index(1), to: dir + "/reference")
            let (out, reference) = (try contents(of: dir + "/out"), try contents(of: dir + "/reference"))
            #expect(out.blobs == reference.blobs)
            #expect(out.blobs.count == 5)
            #expect(out.index == reference.index)
        }
    }

    /// A layer whose bytes are not its DiffID fails the copy after the pass, naming the member,
    /// without reading the archive again; every blob the pass landed is removed.
    @Test func aFlippedLayerByteFailsAndLeavesNoBlob() async throws {
        try await withTemporaryDirectory { dir in
            let plain = try #require(DockerArchiveTesting.helloArchive)
            var bytes = try #require(FileManager.default.contents(atPath: plain))
            let layer = try #require(try TarIndex(path: plain).members.first { $0.name.hasSuffix("layer.tar") && $0.size > 2048 })
            bytes[Int(layer.dataOffset) + 1000] ^= 0xFF
            let broken = dir + "/broken.tar"
            try bytes.write(to: URL(fileURLWithPath: broken))
            let packed = try await compressed(broken, with: "gzip", into: dir)
            let error = await #expect(throws: StreamError.self) { try await copy(packed, to: dir + "/out") }
            #expect(error?.code == .digestMismatch)
            #expect(error?.message.contains("member \(layer.name)") == true)
            #expect(error?.message.contains(DockerArchiveTesting.helloDiffIDs[1].description) == true)
            #expect(blobNames(in: dir + "/out").isEmpty)
            #expect(!FileManager.default.fileExists(atPath: dir + "/out/index.json"))
        }
    }

    /// Gzip layer members (as crane writes them) recompressed to zstd in the pass: their content
    /// is checked against the config's diff_ids once the plan knows them.
    @Test(arguments: [false, true])
    func gzipLayerMembersAreCheckedAgainstTheDiffIDs(swapped: Bool) async throws {
        try await withTemporaryDirectory { dir in
            let plain = try #require(DockerArchiveTesting.helloArchive)
            let config = try await DockerArchiveTesting.member(DockerArchiveTesting.helloConfig.encoded + ".json", of: plain)
            var layers: [[UInt8]] = []
            for id in ["ee5b2a1a29d2209cc702c84cf974ca7485bc7ec8c5e643af071afab4a868a6a0", "1285a64a8e95d122b219cbf5f893c896d27085fb4951bb2de7fa2458b05fc2d1"] {
                let tar = try await DockerArchiveTesting.member("\(id)/layer.tar", of: plain)
                layers.append(try await ExternalTool.runChecked("gzip", ["-n", "-c"], stdin: tar).stdoutBytes)
            }
            // Swapped members: each layer's content has the other's DiffID.
            if swapped { layers.swapAt(0, 1) }
            let manifest = #"[{"Config":"config.json","RepoTags":["ferry/hello:gz"],"Layers":["l0.tar.gz","l1.tar.gz"]}]"#
            try DockerArchiveTesting.writeTar(
                dir + "/gz.tar", [("l0.tar.gz", layers[0]), ("l1.tar.gz", layers[1]), ("config.json", config), ("manifest.json", Array(manifest.utf8))])
            let packed = try await compressed(dir + "/gz.tar", with: "gzip", into: dir)
            let copy = {
                try await CopyOperation(
                    source: try DockerArchiveSource(path: packed), destination: try OCILayoutDestination(path: dir + "/out", durable: false),
                    options: CopyOptions(compression: try CompressionChoice(parsing: "zstd"))
                ).run()
            }
            if swapped {
                let error = await #expect(throws: StreamError.self) { _ = try await copy() }
                #expect(error?.code == .digestMismatch)
                #expect(error?.message.contains("uncompressed content (DiffID)") == true)
                #expect(error?.message.contains(DockerArchiveTesting.helloDiffIDs[0].description) == true)
                #expect(blobNames(in: dir + "/out").isEmpty)
            } else {
                let report = try await copy()
                #expect(report.layersTranscoded == 2)
                let copied = try await Inspector(source: try OCILayoutSource(path: dir + "/out")).inspect(.only)
                #expect(copied.images.first?.diffIDs == DockerArchiveTesting.helloDiffIDs)
                #expect(copied.images.first?.layers.allSatisfy { $0.mediaType == .ociLayerZstd } == true)
            }
        }
    }

    @Test func aMissingMemberFailsAndLeavesNoBlob() async throws {
        try await withTemporaryDirectory { dir in
            let plain = try #require(DockerArchiveTesting.helloArchive)
            var members: [(String, [UInt8])] = []
            for name in try await DockerArchiveTesting.members(of: plain) where !name.hasSuffix("/") {
                var data = try await DockerArchiveTesting.member(name, of: plain)
                if name == "manifest.json" {
                    data = Array(String(decoding: data, as: UTF8.self).replacingOccurrences(of: "/layer.tar", with: "/gone.tar").utf8)
                }
                members.append((name, data))
            }
            try DockerArchiveTesting.writeTar(dir + "/a.tar", members)
            let packed = try await compressed(dir + "/a.tar", with: "gzip", into: dir)
            let error = await #expect(throws: TransportError.self) { try await copy(packed, to: dir + "/out") }
            #expect(error?.message.contains("gone.tar") == true)
            #expect(blobNames(in: dir + "/out").isEmpty)
        }
    }
}
