import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// Writing `docker load`-compatible archives: legacy layout, names, dedup, determinism, refusals.
@Suite(.enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct DockerArchiveDestinationTests {
    @Test func plainLayoutImageWritesALegacyArchiveSkopeoReads() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 22)
            builder.addImage(tag: "1.0", layerCount: 2, layerSize: 8192, compressed: false)
            let summary = try await builder.write(to: dir + "/src")
            let image = try #require(summary["1.0"]?.images.first)
            let out = dir + "/out.tar"
            _ = try await CopyOperation(
                source: try OCILayoutSource(path: dir + "/src"),
                destination: try DockerArchiveDestination(path: out, durable: false),
                selector: .name("1.0"), options: CopyOptions(destinationNames: ["ferry/test:1.0"])
            ).run()
            let members = try await DockerArchiveTesting.members(of: out)
            let layers = image.diffIDs.map { $0.encoded + "/layer.tar" }
            let ids = image.diffIDs.map(\.encoded)
            #expect(
                members == [
                    image.configDigest.encoded + ".json",
                    ids[0] + "/", ids[0] + "/VERSION", ids[0] + "/json", layers[0],
                    ids[1] + "/", ids[1] + "/VERSION", ids[1] + "/json", layers[1], "manifest.json", "repositories",
                ])
            // The legacy v1 files, as docker save writes them: a parent chain, the config on top.
            #expect(try await DockerArchiveTesting.member(ids[0] + "/VERSION", of: out) == Array("1.0".utf8))
            let base = try JSONSerialization.jsonObject(with: Data(try await DockerArchiveTesting.member(ids[0] + "/json", of: out))) as? [String: Any]
            let top = try JSONSerialization.jsonObject(with: Data(try await DockerArchiveTesting.member(ids[1] + "/json", of: out))) as? [String: Any]
            #expect(base?["id"] as? String == ids[0] && base?["parent"] == nil)
            #expect(top?["id"] as? String == ids[1] && top?["parent"] as? String == ids[0])
            #expect(top?["os"] as? String == "linux" && top?["rootfs"] == nil && top?["architecture"] != nil)
            let manifest = String(decoding: try await DockerArchiveTesting.member("manifest.json", of: out), as: UTF8.self)
            #expect(manifest == #"[{"Config":"\#(image.configDigest.encoded).json","Layers":["\#(layers[0])","\#(layers[1])"],"RepoTags":["ferry/test:1.0"]}]"#)
            let repositories = String(decoding: try await DockerArchiveTesting.member("repositories", of: out), as: UTF8.self)
            #expect(repositories == #"{"ferry/test":{"1.0":"\#(image.diffIDs[1].encoded)"}}"#)
            // Ferry reads it back with the same config and layers.
            let back = try await Inspector(source: try DockerArchiveSource(path: out)).inspect(.name("docker.io/ferry/test:1.0"))
            #expect(back.images.first?.configDigest == image.configDigest)
            #expect(back.images.first?.diffIDs == image.diffIDs)
            if ExternalTool.skopeoAvailable {
                let result = try await ExternalTool.runChecked("skopeo", ["inspect", "--raw", "docker-archive:" + out])
                let raw = try JSONSerialization.jsonObject(with: Data(result.stdoutBytes)) as? [String: Any]
                let config = raw?["config"] as? [String: Any]
                #expect(config?["digest"] as? String == image.configDigest.description)
                let skopeoLayers = (raw?["layers"] as? [[String: Any]])?.compactMap { $0["digest"] as? String }
                #expect(skopeoLayers == image.diffIDs.map(\.description))
                let configJSON = try await ExternalTool.runChecked("skopeo", ["inspect", "--config", "docker-archive:" + out])
                let rootfs = (try JSONSerialization.jsonObject(with: Data(configJSON.stdoutBytes)) as? [String: Any])?["rootfs"] as? [String: Any]
                #expect(rootfs?["diff_ids"] as? [String] == image.diffIDs.map(\.description))
            }
        }
    }

    @Test func severalImagesShareLayersAndKeepTheirNames() async throws {
        try await withTemporaryDirectory { dir in
            let hello = try #require(DockerArchiveTesting.helloArchive)
            // Two names for the same image and one other image: layers and config stored once.
            try await DockerArchiveTesting.copyToLayout(try DockerArchiveSource(path: hello), .only, layout: dir + "/oci")
            var builder = TestImageBuilder(seed: 23)
            builder.addImage(tag: "other", layerCount: 1, compressed: false)
            _ = try await builder.write(to: dir + "/oci2")
            let out = dir + "/multi.tar"
            let destination = try DockerArchiveDestination(path: out, durable: false)
            let first = try OCILayoutSource(path: dir + "/oci")
            let firstEntry = try await first.entry(matching: .only)
            let second = try OCILayoutSource(path: dir + "/oci2")
            let secondEntry = try await second.entry(matching: .only)
            let reader = GraphReader(source: first)
            for blob in try await reader.read(firstEntry.descriptor).blobs {
                _ = try await destination.putBlob(try VerifyingStream(try await first.blob(blob), expected: blob, context: "test"))
            }
            for blob in try await GraphReader(source: second).read(secondEntry.descriptor).blobs {
                _ = try await destination.putBlob(try VerifyingStream(try await second.blob(blob), expected: blob, context: "test"))
            }
            try await destination.putDocument(try await reader.verifiedDocument(firstEntry.descriptor))
            try await destination.putDocument(try await GraphReader(source: second).verifiedDocument(secondEntry.descriptor))
            try await destination.addEntry(firstEntry.descriptor, names: ["ferry/hello:1.0"])
            try await destination.addEntry(secondEntry.descriptor, names: ["docker.io/library/other:2", "other"])
            try await destination.addEntry(firstEntry.descriptor, names: ["localhost:5000/hello:copy"])
            try await destination.commit()
            let members = try await DockerArchiveTesting.members(of: out)
            #expect(members.filter { $0.hasSuffix("layer.tar") }.count == 3)
            #expect(members.filter { $0.hasSuffix(".json") && $0 != "manifest.json" }.count == 2)
            let entries = try await DockerArchiveSource(path: out).entries()
            #expect(entries.map(\.names) == [["ferry/hello:1.0"], ["other:2"], ["localhost:5000/hello:copy"]])
            #expect(entries[0].descriptor == entries[2].descriptor)
        }
    }

    @Test func roundTripKeepsTheConfigByteIdentical() async throws {
        try await withTemporaryDirectory { dir in
            let hello = try #require(DockerArchiveTesting.helloArchive)
            try await DockerArchiveTesting.copyToLayout(try DockerArchiveSource(path: hello), .only, layout: dir + "/oci")
            let out = dir + "/back.tar"
            _ = try await CopyOperation(source: try OCILayoutSource(path: dir + "/oci"), destination: try DockerArchiveDestination(path: out, durable: false))
                .run()
            let configMember = DockerArchiveTesting.helloConfig.encoded + ".json"
            #expect(try await DockerArchiveTesting.member(configMember, of: out) == (try await DockerArchiveTesting.member(configMember, of: hello)))
            let original = try await DockerArchiveSource(path: hello).entries()
            let roundTripped = try await DockerArchiveSource(path: out).entries()
            #expect(roundTripped.map(\.descriptor) == original.map(\.descriptor))
            #expect(roundTripped.map(\.names) == [["ferry/hello:1.0"]])
        }
    }

    @Test func writingTwiceGivesTheSameBytes() async throws {
        try await withTemporaryDirectory { dir in
            let hello = try #require(DockerArchiveTesting.helloArchive)
            for out in ["a.tar", "b.tar"] {
                _ = try await CopyOperation(
                    source: try DockerArchiveSource(path: hello), destination: try DockerArchiveDestination(path: dir + "/" + out, durable: false)
                ).run()
            }
            let a = try #require(FileManager.default.contents(atPath: dir + "/a.tar"))
            #expect(a == FileManager.default.contents(atPath: dir + "/b.tar"))
        }
    }

    /// Rows: the file name chooses the archive's own compression.
    @Test(arguments: [("out.tar.gz", CompressionFormat.gzip), ("out.tgz", .gzip), ("out.tar.zst", .zstd), ("out.tar", .none)])
    func archiveIsCompressedAsItsNameSays(_ file: String, _ format: CompressionFormat) async throws {
        try await withTemporaryDirectory { dir in
            let hello = try #require(DockerArchiveTesting.helloArchive)
            var written: [Data] = []
            for run in 0..<2 {
                let out = dir + "/\(run)-" + file
                _ = try await CopyOperation(source: try DockerArchiveSource(path: hello), destination: try DockerArchiveDestination(path: out, durable: false))
                    .run()
                let bytes = try #require(FileManager.default.contents(atPath: out))
                #expect(CompressionSniffer.detect(Array(bytes.prefix(8))) == format)
                let back = try await DockerArchiveSource(path: out).entries()
                #expect(back.map(\.descriptor) == (try await DockerArchiveSource(path: hello).entries()).map(\.descriptor))
                written.append(bytes)
            }
            #expect(written[0] == written[1], "the same input gives the same archive bytes")
        }
    }

    @Test func docker25LayoutIsADockerArchiveAndAnOCIArchive() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 26)
            builder.addImage(tag: "1.0", layerCount: 2, compressed: true)
            let image = try #require(try await builder.write(to: dir + "/src")["1.0"]?.images.first)
            var archives: [Data] = []
            for run in 0..<2 {
                let out = dir + "/d25-\(run).tar"
                _ = try await CopyOperation(
                    source: try OCILayoutSource(path: dir + "/src"),
                    destination: try DockerArchiveDestination(path: out, durable: false, layout: .docker25),
                    options: CopyOptions(destinationNames: ["ferry/d25:1.0"])
                ).run()
                archives.append(try #require(FileManager.default.contents(atPath: out)))
            }
            #expect(archives[0] == archives[1], "deterministic")
            let out = dir + "/d25-0.tar"
            let members = try await DockerArchiveTesting.members(of: out)
            #expect(members.first == "oci-layout")
            #expect(members.suffix(3) == ["index.json", "manifest.json", "repositories"])
            // As a docker-archive: the stored OCI manifest is used, with the diff_ids as layers.
            let asDocker = try await Inspector(source: try DockerArchiveSource(path: out)).inspect(.name("ferry/d25:1.0"))
            #expect(asDocker.mediaType == .ociManifest)
            #expect(asDocker.images.first?.layers.map(\.digest) == image.diffIDs)
            #expect(asDocker.images.first?.configDigest == image.configDigest)
            // As an oci-archive: the same image under its tag, named as containerd names it.
            let asOCI = try await Inspector(source: try OCIArchiveSource(path: out)).inspect(.name("1.0"))
            #expect(asOCI.digest == asDocker.digest)
            #expect(asOCI.names.contains("docker.io/ferry/d25:1.0"))
            if ExternalTool.skopeoAvailable {
                let config = try await ExternalTool.runChecked("skopeo", ["inspect", "--config", "docker-archive:" + out])
                let rootfs = (try JSONSerialization.jsonObject(with: Data(config.stdoutBytes)) as? [String: Any])?["rootfs"] as? [String: Any]
                #expect(rootfs?["diff_ids"] as? [String] == image.diffIDs.map(\.description))
                _ = try await ExternalTool.runChecked("skopeo", ["inspect", "oci-archive:" + out + ":1.0"])
            }
        }
    }

    @Test func gzipLayoutIsDecompressedForDockerLoad() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 24)
            builder.addImage(tag: "1.0", layerCount: 2, compressed: true)
            let image = try #require(try await builder.write(to: dir + "/src")["1.0"]?.images.first)
            let out = dir + "/out.tar"
            let report = try await CopyOperation(
                source: try OCILayoutSource(path: dir + "/src"), destination: try DockerArchiveDestination(path: out, durable: false),
                options: CopyOptions(destinationNames: ["ferry/gz:1"])
            ).run()
            #expect(report.layersTranscoded == 2)
            let members = try await DockerArchiveTesting.members(of: out)
            #expect(members.filter { $0.hasSuffix("/layer.tar") } == image.diffIDs.map { $0.encoded + "/layer.tar" })
            let back = try await Inspector(source: try DockerArchiveSource(path: out)).inspect(.only)
            #expect(back.images.first?.layers.map(\.digest) == image.diffIDs)
            #expect(back.images.first?.configDigest == image.configDigest)
        }
    }

    @Test func indexGivesThisMachinesPlatformOrTheOneAskedFor() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 25)
            builder.addIndex(
                tag: "multi", platforms: [Platform(os: "linux", architecture: "amd64"), Platform(os: "linux", architecture: "arm64")], compressed: false)
            let summary = try #require(try await builder.write(to: dir + "/src")["multi"])
            for (platform, architecture) in [(nil, Platform.host.architecture), ("linux/arm64", "arm64")] {
                let out = dir + "/\(architecture).tar"
                let options = CopyOptions(platforms: platform.map { [try! Platform(parsing: $0)] } ?? [])
                _ = try await CopyOperation(
                    source: try OCILayoutSource(path: dir + "/src"), destination: try DockerArchiveDestination(path: out, durable: false), options: options
                ).run()
                let expected = try #require(summary.images.first { $0.platform.architecture == architecture })
                let back = try await Inspector(source: try DockerArchiveSource(path: out)).inspect(.only)
                #expect(back.images.first?.configDigest == expected.configDigest)
            }
            let error = await #expect(throws: EngineError.self) {
                _ = try await CopyOperation(
                    source: try OCILayoutSource(path: dir + "/src"), destination: try DockerArchiveDestination(path: dir + "/x.tar", durable: false),
                    options: CopyOptions(platforms: [Platform(os: "windows", architecture: "amd64")])
                ).run()
            }
            #expect(error?.message.contains("windows/amd64") == true)
            #expect(try DockerArchiveTesting.nothingLeft(at: dir + "/x.tar"))
        }
    }

    @Test func indexDocumentIsRefusedByTheDestination() async throws {
        try await withTemporaryDirectory { dir in
            let destination = try DockerArchiveDestination(path: dir + "/out.tar", durable: false)
            let index = try JSONDocument.encode(ImageIndex(manifests: []))
            let error = await #expect(throws: TransportError.self) {
                try await destination.putDocument(RawDocument(bytes: index, mediaType: .ociIndex, digest: try DigestHasher.digest(index)))
            }
            #expect(error?.message.contains("single-platform") == true)
        }
    }

    @Test func capabilitiesAskForUncompressedSchema2() throws {
        try withTemporaryDirectoryBlocking { dir in
            let capabilities = try DockerArchiveDestination(path: dir + "/x.tar").capabilities
            #expect(capabilities.acceptedLayerCompressions == [LayerCompression.none])
            #expect(capabilities.acceptedManifestTypes == [.dockerManifest])
            #expect(!capabilities.holdsIndexes)
        }
    }
}

/// A synchronous temporary directory for tests that need no `await`.
private func withTemporaryDirectoryBlocking(_ body: (String) throws -> Void) throws {
    let path = NSTemporaryDirectory() + "ferry-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    try body(path)
}
