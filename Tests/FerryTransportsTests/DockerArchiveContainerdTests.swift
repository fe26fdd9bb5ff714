import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// Archives as Docker 29+ writes them from its containerd image store: an OCI layout whose
/// `index.json` names the whole multi-platform index, the blobs of the one platform the engine
/// had (layers still gzip-compressed, as pulled), and a `manifest.json` pointing into `blobs/`.
/// No fixture of this kind exists in ../shared/interop, so the archive is built here from the
/// structure moby's containerd exporter writes.
@Suite(.enabled(if: ExternalTool.gzipAvailable, "gzip missing"))
struct DockerArchiveContainerdTests {
    private let amd64 = Platform(os: "linux", architecture: "amd64")
    private let arm64 = Platform(os: "linux", architecture: "arm64", variant: "v8")

    /// Builds the archive at `dir/containerd.tar`; returns the amd64 image (the one present) and
    /// the arm64 manifest digest (named by the index, absent from the archive).
    private func buildArchive(_ dir: String) async throws -> (TestImageBuilder.ImageSummary, Digest) {
        var builder = TestImageBuilder(seed: 2901)
        builder.addIndex(tag: "1.0", platforms: [amd64, arm64], layerCount: 2, layerSize: 20_000)
        let summary = try await builder.write(to: dir + "/layout")
        let tag = try #require(summary["1.0"])
        let present = try #require(tag.images.first { $0.platform == amd64 })
        let absent = try #require(tag.images.first { $0.platform == arm64 })
        func blob(_ digest: Digest) throws -> (String, [UInt8]) {
            let member = "blobs/sha256/\(digest.encoded)"
            return (member, try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/layout/" + member))))
        }
        let indexJSON = """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"\(tag.mediaType)","digest":"\(tag.digest)","size":\(try blob(tag.digest).1.count),"annotations":{"io.containerd.image.name":"docker.io/library/multi:1.0","org.opencontainers.image.ref.name":"1.0"}}]}
            """
        let manifestJSON = """
            [{"Config":"blobs/sha256/\(present.configDigest.encoded)","RepoTags":["multi:1.0"],"Layers":[\(present.layerDigests.map { "\"blobs/sha256/\($0.encoded)\"" }.joined(separator: ","))]}]
            """
        var files: [(String, [UInt8])] = [("oci-layout", Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8))]
        files.append(try blob(tag.digest))
        files.append(try blob(present.manifestDigest))
        files.append(try blob(present.configDigest))
        for layer in present.layerDigests { files.append(try blob(layer)) }
        files.append(("index.json", Array(indexJSON.utf8)))
        files.append(("manifest.json", Array(manifestJSON.utf8)))
        try DockerArchiveTesting.writeTar(dir + "/containerd.tar", files)
        return (present, absent.manifestDigest)
    }

    @Test func presentPlatformIsCopiedWithItsStoredManifestAndAbsentOnesAreNamed() async throws {
        try await withTemporaryDirectory { dir in
            let (present, absent) = try await buildArchive(dir)
            let source = try DockerArchiveSource(path: dir + "/containerd.tar")
            let entries = try await source.entries()
            #expect(entries.count == 1)
            #expect(entries.first?.names.contains { $0.contains("multi:1.0") } == true, "\(entries)")
            #expect(source.absentManifests.map(\.digest) == [absent])
            #expect(source.absentManifests.first?.platform?.architecture == "arm64")
            let note = try #require(source.notes.first)
            #expect(note.contains("linux/arm64") && note.contains(absent.short), "\(note)")

            // Layers kept as stored (gzip): the copy is the registry's own amd64 image, digest for digest.
            let report = try await CopyOperation(
                source: source, destination: try OCILayoutDestination(path: dir + "/out", durable: false),
                selector: .only, options: CopyOptions(compression: .keep)
            ).run()
            #expect(report.entries.first?.descriptor.digest == present.manifestDigest)
            #expect(report.notes == source.notes)
            let copied = try OCILayoutSource(path: dir + "/out")
            let inspection = try await Inspector(source: copied).inspect(.only)
            #expect(inspection.images.first?.layers.map(\.digest) == present.layerDigests, "\(inspection)")
        }
    }

    @Test(.enabled(if: SharedFixtures.ferryBinary != nil, "no ferry binary (swift build)"))
    func cliSaysWhatIsMissingAndSucceeds() async throws {
        try await withTemporaryDirectory { dir in
            let (present, absent) = try await buildArchive(dir)
            let result = try await ExternalTool.run(
                SharedFixtures.ferryBinary ?? "", ["copy", "-q", "--compress", "keep", "docker-archive:\(dir)/containerd.tar", "oci:\(dir)/cli:1.0"])
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(result.stderr.contains("note:") && result.stderr.contains(absent.short), "\(result.stderr)")
            let index = try String(contentsOfFile: dir + "/cli/index.json", encoding: .utf8)
            #expect(index.contains(present.manifestDigest.description))
        }
    }
}
