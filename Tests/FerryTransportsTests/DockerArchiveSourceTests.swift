import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// Reading `docker save` archives: entries, names, synthesised manifests, copies to OCI.
@Suite(.enabled(if: DockerArchiveTesting.helloArchive != nil, "no TestImages/hello.docker.tar"))
struct DockerArchiveSourceTests {
    @Test func helloArchiveHasOneTaggedImageWithItsConfigAndDiffIDs() async throws {
        let source = try DockerArchiveSource(path: try #require(DockerArchiveTesting.helloArchive))
        let entries = try await source.entries()
        #expect(entries.count == 1)
        #expect(entries[0].names == ["ferry/hello:1.0"])
        #expect(entries[0].aliases.contains("docker.io/ferry/hello:1.0"))
        #expect(entries[0].descriptor.mediaType == .dockerManifest)
        let inspection = try await Inspector(source: source).inspect(.only)
        let image = try #require(inspection.images.first)
        #expect(image.configDigest == DockerArchiveTesting.helloConfig)
        #expect(image.configMediaType == .dockerConfig)
        #expect(image.diffIDs == DockerArchiveTesting.helloDiffIDs)
        // Plain tar layers: the digest is the DiffID, labelled uncompressed.
        #expect(image.layers.map(\.digest) == DockerArchiveTesting.helloDiffIDs)
        #expect(image.layers.allSatisfy { $0.mediaType == .dockerLayer })
    }

    @Test func synthesisedManifestIsStable() async throws {
        let path = try #require(DockerArchiveTesting.helloArchive)
        let first = try await DockerArchiveSource(path: path).entries()
        let second = try await DockerArchiveSource(path: path).entries()
        #expect(first.map(\.descriptor) == second.map(\.descriptor))
    }

    @Test func helloArchiveCopiesToOCIWithSameConfigAndDiffIDs() async throws {
        try await withTemporaryDirectory { dir in
            let source = try DockerArchiveSource(path: try #require(DockerArchiveTesting.helloArchive))
            let copied = try await DockerArchiveTesting.copyToLayout(source, .name("docker.io/ferry/hello:1.0"), layout: dir + "/oci")
            #expect(copied.first?.images.first?.configDigest == DockerArchiveTesting.helloConfig)
            #expect(copied.first?.images.first?.diffIDs == DockerArchiveTesting.helloDiffIDs)
            // The name as docker save wrote it, and the full name (io.containerd.image.name).
            #expect(copied.first?.names == ["ferry/hello:1.0", "docker.io/ferry/hello:1.0"])
            let config = try await DockerArchiveTesting.member(
                DockerArchiveTesting.helloConfig.encoded + ".json", of: try #require(DockerArchiveTesting.helloArchive))
            #expect(FileManager.default.contents(atPath: dir + "/oci/blobs/sha256/" + DockerArchiveTesting.helloConfig.encoded) == Data(config))
        }
    }

    @Test func gzipWrappedArchiveIsStreamedAndGivesTheSameImage() async throws {
        try await withTemporaryDirectory { dir in
            let plain = try #require(DockerArchiveTesting.helloArchive)
            let gzipped = dir + "/hello.docker.tar.gz"
            let bytes = try await ExternalTool.runChecked("gzip", ["-n", "-c", plain]).stdoutBytes
            try Data(bytes).write(to: URL(fileURLWithPath: gzipped))
            let a = try await DockerArchiveSource(path: plain).entries()
            let b = try await DockerArchiveSource(path: gzipped).entries()
            #expect(a.map(\.descriptor) == b.map(\.descriptor))
            let copied = try await DockerArchiveTesting.copyToLayout(try DockerArchiveSource(path: gzipped), .only, layout: dir + "/oci")
            #expect(copied.first?.images.first?.diffIDs == DockerArchiveTesting.helloDiffIDs)
        }
    }

    @Test func gzipLayerMembersAreLabelledByContentAndHashed() async throws {
        try await withTemporaryDirectory { dir in
            // The hello image with its layers gzipped inside the archive (as crane writes them).
            let plain = try #require(DockerArchiveTesting.helloArchive)
            let config = try await DockerArchiveTesting.member(DockerArchiveTesting.helloConfig.encoded + ".json", of: plain)
            var files: [(String, [UInt8])] = [("config.json", config)]
            var layerNames: [String] = []
            for (i, layer) in [
                "ee5b2a1a29d2209cc702c84cf974ca7485bc7ec8c5e643af071afab4a868a6a0", "1285a64a8e95d122b219cbf5f893c896d27085fb4951bb2de7fa2458b05fc2d1",
            ].enumerated() {
                let tarBytes = try await DockerArchiveTesting.member("\(layer)/layer.tar", of: plain)
                let gz = try await ExternalTool.runChecked("gzip", ["-n", "-c"], stdin: tarBytes).stdoutBytes
                files.append(("layer\(i).tar.gz", gz))
                layerNames.append("layer\(i).tar.gz")
            }
            let manifest = #"[{"Config":"config.json","RepoTags":["ferry/hello:gz"],"Layers":["layer0.tar.gz","layer1.tar.gz"]}]"#
            files.append(("manifest.json", Array(manifest.utf8)))
            try DockerArchiveTesting.writeTar(dir + "/gz.tar", files)
            let inspection = try await Inspector(source: try DockerArchiveSource(path: dir + "/gz.tar")).inspect(.only)
            let image = try #require(inspection.images.first)
            #expect(image.layers.allSatisfy { $0.mediaType == .dockerLayerGzip })
            #expect(image.layers.map(\.digest) == (try files[1...2].map { try DigestHasher.digest($0.1) }))
            let copied = try await DockerArchiveTesting.copyToLayout(try DockerArchiveSource(path: dir + "/gz.tar"), .only, layout: dir + "/oci")
            #expect(copied.first?.images.first?.diffIDs == DockerArchiveTesting.helloDiffIDs)
        }
    }
}
