import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

// Real peers as independent judges: what Ferry writes, oci-image-tool, skopeo and umoci must
// accept, and what they write, Ferry must read with the same digests (style.md §8).

/// Two platforms for the multi-platform index every test builds.
private let twoPlatforms = [
    Platform(os: "linux", architecture: "amd64"),
    Platform(os: "linux", architecture: "arm64", variant: "v8"),
]

/// A layout with a two-layer image `v1` and a two-platform index `multi`, from a fixed seed.
private func buildSource(_ path: String, seed: UInt64) async throws -> TestImageBuilder.Summary {
    var builder = TestImageBuilder(seed: seed)
    builder.addImage(tag: "v1", layerCount: 2, layerSize: 8192)
    builder.addIndex(tag: "multi", platforms: twoPlatforms, layerCount: 1, layerSize: 2048)
    return try await builder.write(to: path)
}

/// Copies every entry of `source` to `destination` with Ferry's engine, keeping names.
@discardableResult
private func ferryCopyAll(_ source: any ImageSource, _ destination: any ImageDestination) async throws -> CopyReport {
    try await CopyOperation(source: source, destination: destination, selector: .all).run()
}

/// The sha256 of a file's bytes.
private func fileDigest(_ path: String) throws -> Digest {
    try DigestHasher.digest([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
}

/// The part of `skopeo inspect` output the tests compare.
private struct SkopeoInspect: Decodable {
    var digest: String
    var layers: [String]?
    enum CodingKeys: String, CodingKey { case digest = "Digest", layers = "Layers" }
}

/// The manifest digest `index.json` of a layout gives `tag`, read as plain JSON (not by Ferry).
private func layoutDigest(_ layout: String, tag: String) throws -> Digest {
    let index = try LayoutSurgery(layout).index()
    let manifests = try #require(index["manifests"] as? [[String: Any]])
    let entry = try #require(
        manifests.first {
            ($0["annotations"] as? [String: String])?["org.opencontainers.image.ref.name"] == tag
        })
    return try Digest(parsing: try #require(entry["digest"] as? String))
}

@Suite(.enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct PeersJudgeFerryOutput {
    @Test(.enabled(if: ExternalTool.ociImageToolAvailable, "oci-image-tool not installed"))
    func ociImageToolValidatesFerryLayoutCopy() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await buildSource(dir + "/src", seed: 101)
            try await ferryCopyAll(try OCILayoutSource(path: dir + "/src"), try OCILayoutDestination(path: dir + "/dst"))
            // oci-image-tool 1.0.0-rc1 takes `--ref name=TAG` (criteria A=B; a bare tag is
            // refused with "each ref must contain two parts"), and wants at least one layer.
            let result = try await ExternalTool.run(
                "oci-image-tool", ["validate", "--type", "image", "--ref", "name=v1", dir + "/dst"])
            #expect(result.exitCode == 0, "oci-image-tool: \(result.stdout) \(result.stderr)")
        }
    }

    @Test(.enabled(if: ExternalTool.skopeoAvailable, "skopeo not installed"))
    func skopeoReadsFerryLayoutCopyWithUntouchedBytes() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await buildSource(dir + "/src", seed: 102)
            try await ferryCopyAll(try OCILayoutSource(path: dir + "/src"), try OCILayoutDestination(path: dir + "/dst"))
            for tag in ["v1", "multi"] {
                let raw = try await ExternalTool.runChecked("skopeo", ["inspect", "--raw", "oci:\(dir)/dst:\(tag)"])
                #expect(try DigestHasher.digest(raw.stdoutBytes) == summary[tag]?.digest, "tag \(tag)")
            }
            let inspect = try await ExternalTool.runChecked("skopeo", ["inspect", "oci:\(dir)/dst:v1"])
            let decoded = try JSONDecoder().decode(SkopeoInspect.self, from: Data(inspect.stdoutBytes))
            let image = try #require(summary["v1"]?.images.first)
            #expect(decoded.digest == image.manifestDigest.description)
            #expect(decoded.layers == image.layerDigests.map(\.description))
        }
    }

    @Test func archiveRoundTripKeepsEveryDigest() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await buildSource(dir + "/src", seed: 103)
            try await ferryCopyAll(try OCILayoutSource(path: dir + "/src"), try OCIArchiveDestination(path: dir + "/image.tar"))
            try await ferryCopyAll(try OCIArchiveSource(path: dir + "/image.tar"), try OCILayoutDestination(path: dir + "/back"))
            let back = try OCILayoutSource(path: dir + "/back")
            for tag in ["v1", "multi"] {
                let entry = try await back.entry(matching: .name(tag))
                #expect(entry.descriptor.digest == summary[tag]?.digest, "tag \(tag)")
            }
            let names = Set(try FileManager.default.contentsOfDirectory(atPath: dir + "/back/blobs/sha256"))
            #expect(names == Set(summary.blobDigests.map(\.encoded)))
        }
    }

    @Test func archiveIsByteIdenticalWhenWrittenTwice() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await buildSource(dir + "/src", seed: 104)
            let source = try OCILayoutSource(path: dir + "/src")
            try await ferryCopyAll(source, try OCIArchiveDestination(path: dir + "/first.tar"))
            try await ferryCopyAll(source, try OCIArchiveDestination(path: dir + "/second.tar"))
            #expect(try fileDigest(dir + "/first.tar") == fileDigest(dir + "/second.tar"))
            // Writing over an existing archive gives the same bytes again.
            try await ferryCopyAll(source, try OCIArchiveDestination(path: dir + "/first.tar"))
            #expect(try fileDigest(dir + "/first.tar") == fileDigest(dir + "/second.tar"))
        }
    }

    @Test(.enabled(if: ExternalTool.skopeoAvailable, "skopeo not installed"))
    func skopeoReadsFerryArchive() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await buildSource(dir + "/src", seed: 105)
            try await ferryCopyAll(try OCILayoutSource(path: dir + "/src"), try OCIArchiveDestination(path: dir + "/image.tar"))
            let inspect = try await ExternalTool.runChecked("skopeo", ["inspect", "oci-archive:\(dir)/image.tar:v1"])
            let decoded = try JSONDecoder().decode(SkopeoInspect.self, from: Data(inspect.stdoutBytes))
            #expect(decoded.digest == summary["v1"]?.digest.description)
            let raw = try await ExternalTool.runChecked("skopeo", ["inspect", "--raw", "oci-archive:\(dir)/image.tar:multi"])
            #expect(try DigestHasher.digest(raw.stdoutBytes) == summary["multi"]?.digest)
        }
    }

    @Test(.enabled(if: ExternalTool.skopeoAvailable, "skopeo not installed"))
    func skopeoCopiesOutOfFerryArchive() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await buildSource(dir + "/src", seed: 106)
            try await ferryCopyAll(try OCILayoutSource(path: dir + "/src"), try OCIArchiveDestination(path: dir + "/image.tar"))
            try await ExternalTool.runChecked("skopeo", ["copy", "--quiet", "oci-archive:\(dir)/image.tar:v1", "oci:\(dir)/out:v1"])
            #expect(try layoutDigest(dir + "/out", tag: "v1") == summary["v1"]?.digest)
        }
    }
}

@Suite(.enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct FerryReadsPeerOutput {
    @Test(.enabled(if: ExternalTool.skopeoAvailable, "skopeo not installed"))
    func readsLayoutWrittenBySkopeo() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await buildSource(dir + "/a", seed: 201)
            try await ExternalTool.runChecked("skopeo", ["copy", "--quiet", "oci:\(dir)/a:v1", "oci:\(dir)/b:v1"])
            try await ExternalTool.runChecked("skopeo", ["copy", "--quiet", "--all", "oci:\(dir)/a:multi", "oci:\(dir)/b:multi"])
            let written = try (v1: layoutDigest(dir + "/b", tag: "v1"), multi: layoutDigest(dir + "/b", tag: "multi"))
            // skopeo copies an OCI image to OCI without rewriting it.
            #expect(written.v1 == summary["v1"]?.digest)
            #expect(written.multi == summary["multi"]?.digest)

            let report = try await ferryCopyAll(try OCILayoutSource(path: dir + "/b"), try OCILayoutDestination(path: dir + "/c"))
            #expect(Set(report.entries.map(\.descriptor.digest)) == [written.v1, written.multi])
            let inspection = try await Inspector(source: try OCILayoutSource(path: dir + "/c")).inspect(.name("multi"))
            #expect(inspection.platforms == ["linux/amd64", "linux/arm64/v8"])
        }
    }

    @Test(.enabled(if: ExternalTool.umociAvailable, "umoci not installed"))
    func readsLayoutWrittenByUmoci() async throws {
        try await withTemporaryDirectory { dir in
            let layout = dir + "/umoci"
            try await ExternalTool.runChecked("umoci", ["init", "--layout", layout])
            try await ExternalTool.runChecked("umoci", ["new", "--image", "\(layout):t"])
            try await ExternalTool.runChecked("umoci", ["config", "--image", "\(layout):t", "--config.cmd", "/bin/true", "--config.workingdir", "/srv"])
            let written = try layoutDigest(layout, tag: "t")

            let report = try await CopyOperation(
                source: try OCILayoutSource(path: layout),
                destination: try OCILayoutDestination(path: dir + "/copy"),
                selector: .name("t")
            ).run()
            #expect(report.entries.map(\.descriptor.digest) == [written])
            let inspection = try await Inspector(source: try OCILayoutSource(path: dir + "/copy")).inspect(.name("t"))
            #expect(inspection.digest == written)
            #expect(inspection.images.first?.cmd == ["/bin/true"])
            #expect(inspection.images.first?.workingDir == "/srv")
            #expect(inspection.images.first?.layers.isEmpty == true)
        }
    }

    @Test(.enabled(if: ExternalTool.skopeoAvailable, "skopeo not installed"))
    func readsArchiveWrittenBySkopeoFromFerryLayout() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await buildSource(dir + "/src", seed: 202)
            try await ferryCopyAll(try OCILayoutSource(path: dir + "/src"), try OCILayoutDestination(path: dir + "/ferry"))
            try await ExternalTool.runChecked("skopeo", ["copy", "--quiet", "oci:\(dir)/ferry:v1", "oci-archive:\(dir)/skopeo.tar:v1"])
            let archive = try OCIArchiveSource(path: dir + "/skopeo.tar")
            let entry = try await archive.entry(matching: .name("v1"))
            #expect(entry.descriptor.digest == summary["v1"]?.digest)
            let report = try await CopyOperation(source: archive, destination: try OCILayoutDestination(path: dir + "/back")).run()
            #expect(report.entries.map(\.descriptor.digest) == [summary["v1"]?.digest])
            #expect(report.blobsCopied == 3)  // config + 2 layers, each verified
        }
    }
}
