import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// Hostile and broken archives: each refused with a message naming the archive and the member,
/// and nothing written at the destination.
@Suite(.enabled(if: DockerArchiveTesting.helloArchive != nil, "no TestImages/hello.docker.tar"))
struct DockerArchiveBadInputTests {
    /// The hello archive's files, to rebuild with one thing wrong.
    private func helloFiles() async throws -> (config: [UInt8], layers: [[UInt8]]) {
        let hello = try #require(DockerArchiveTesting.helloArchive)
        let config = try await DockerArchiveTesting.member(DockerArchiveTesting.helloConfig.encoded + ".json", of: hello)
        var layers: [[UInt8]] = []
        for id in ["ee5b2a1a29d2209cc702c84cf974ca7485bc7ec8c5e643af071afab4a868a6a0", "1285a64a8e95d122b219cbf5f893c896d27085fb4951bb2de7fa2458b05fc2d1"] {
            layers.append(try await DockerArchiveTesting.member(id + "/layer.tar", of: hello))
        }
        return (config, layers)
    }

    private func archive(_ path: String, manifest: String, layers: [[UInt8]]? = nil) async throws {
        let files = try await helloFiles()
        var members: [(String, [UInt8])] = [("config.json", files.config)]
        for (i, layer) in (layers ?? files.layers).enumerated() { members.append(("l\(i)/layer.tar", layer)) }
        members.append(("manifest.json", Array(manifest.utf8)))
        try DockerArchiveTesting.writeTar(path, members)
    }

    /// Copies to an OCI layout at `dir/out`, expecting failure; returns the error's text.
    private func failingCopy(_ archive: String, _ dir: String) async throws -> String {
        let out = dir + "/out"
        do {
            _ = try await CopyOperation(source: try DockerArchiveSource(path: archive), destination: try OCILayoutDestination(path: out, durable: false)).run()
        } catch {
            #expect(!FileManager.default.fileExists(atPath: out + "/index.json"))
            return "\(error)"
        }
        Issue.record("copy of \(archive) succeeded")
        return ""
    }

    @Test func manifestNamingAMissingMemberIsRefused() async throws {
        try await withTemporaryDirectory { dir in
            try await archive(dir + "/a.tar", manifest: #"[{"Config":"config.json","RepoTags":null,"Layers":["l0/layer.tar","gone/layer.tar"]}]"#)
            let message = try await failingCopy(dir + "/a.tar", dir)
            #expect(message.contains("gone/layer.tar") && message.contains("not in the archive") && message.contains("a.tar"))
        }
    }

    @Test(arguments: ["../l0/layer.tar", "/l0/layer.tar", "l0/../../etc/passwd"])
    func unsafeMemberReferenceIsRefused(_ reference: String) async throws {
        try await withTemporaryDirectory { dir in
            try await archive(dir + "/a.tar", manifest: #"[{"Config":"config.json","RepoTags":null,"Layers":["\#(reference)","l1/layer.tar"]}]"#)
            let message = try await failingCopy(dir + "/a.tar", dir)
            #expect(message.contains("Layers[0]") && message.contains("unsafe member") && message.contains(reference.debugDescription))
        }
    }

    @Test func missingManifestJSONIsNotADockerArchive() async throws {
        try await withTemporaryDirectory { dir in
            try DockerArchiveTesting.writeTar(dir + "/a.tar", [("config.json", Array("{}".utf8))])
            let message = try await failingCopy(dir + "/a.tar", dir)
            #expect(message.contains("not a docker-archive: manifest.json is missing"))
        }
    }

    @Test func nonTarFileIsRefused() async throws {
        try await withTemporaryDirectory { dir in
            try Data("this is not a tar archive, just some text that is long enough\n".utf8).write(to: URL(fileURLWithPath: dir + "/a.tar"))
            let message = try await failingCopy(dir + "/a.tar", dir)
            #expect(message.contains("not a readable tar archive") && message.contains("a.tar"))
        }
    }

    @Test func truncatedArchiveIsRefused() async throws {
        try await withTemporaryDirectory { dir in
            let helloPath = try #require(DockerArchiveTesting.helloArchive)
            let hello = try #require(FileManager.default.contents(atPath: helloPath))
            try hello.prefix(15_000).write(to: URL(fileURLWithPath: dir + "/a.tar"))
            let message = try await failingCopy(dir + "/a.tar", dir)
            #expect(message.contains("truncated") && message.contains("a.tar"))
        }
    }

    @Test func flippedLayerByteFailsTheCopyWithADigestMismatch() async throws {
        try await withTemporaryDirectory { dir in
            var layers = try await helloFiles().layers
            layers[1][600] ^= 0xFF
            try await archive(
                dir + "/a.tar", manifest: #"[{"Config":"config.json","RepoTags":["x:1"],"Layers":["l0/layer.tar","l1/layer.tar"]}]"#, layers: layers)
            let out = dir + "/out.tar"
            let error = await #expect(throws: StreamError.self) {
                _ = try await CopyOperation(
                    source: try DockerArchiveSource(path: dir + "/a.tar"), destination: try DockerArchiveDestination(path: out, durable: false)
                ).run()
            }
            #expect(error?.code == .digestMismatch)
            #expect(error?.message.contains(DockerArchiveTesting.helloDiffIDs[1].description) == true)
            #expect(try DockerArchiveTesting.nothingLeft(at: out))
        }
    }

    @Test func layerCountMustMatchTheDiffIDs() async throws {
        try await withTemporaryDirectory { dir in
            try await archive(dir + "/a.tar", manifest: #"[{"Config":"config.json","RepoTags":null,"Layers":["l0/layer.tar"]}]"#)
            let message = try await failingCopy(dir + "/a.tar", dir)
            #expect(message.contains("1 layers but 2 diff_ids"))
        }
    }

    @Test func absentBlobOfAnotherPlatformIsNamed() async throws {
        try await withTemporaryDirectory { dir in
            try await archive(dir + "/a.tar", manifest: #"[{"Config":"config.json","RepoTags":null,"Layers":["l0/layer.tar","l1/layer.tar"]}]"#)
            let source = try DockerArchiveSource(path: dir + "/a.tar")
            let absent = Descriptor(mediaType: .ociManifest, digest: Digest.emptyJSON, size: 2)
            let error = await #expect(throws: TransportError.self) { _ = try await source.document(absent) }
            #expect(error?.message.contains(Digest.emptyJSON.description) == true)
            await #expect(throws: TransportError.self) { _ = try await source.blob(absent) }
        }
    }
}
