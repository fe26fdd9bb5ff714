import Foundation
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// `inspect --blob DIGEST` (a blob's exact bytes on standard output, verified while they stream,
/// from every file transport) and `oci-archive:x.tar.gz|.tar.zst` written compressed, read back by
/// Ferry and by skopeo.
@Suite(
    .enabled(if: FerryCLI.available, "no ferry binary (swift build, or set FERRY_BIN)"),
    .enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct BlobAndArchiveCLITests {
    private func source(_ dir: String, seed: UInt64) async throws -> TestImageBuilder.Summary {
        var builder = TestImageBuilder(seed: seed)
        builder.addImage(tag: "v1", layerCount: 2, layerSize: 40_000)
        return try await builder.write(to: dir + "/src")
    }

    @Test func blobBytesFromEveryFileTransport() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await source(dir, seed: 1701)
            let image = try #require(summary["v1"]?.images.first)
            let layer = image.layerDigests[1]
            try await FerryCLI.run(["copy", "-q", "oci:\(dir)/src:v1", "oci-archive:\(dir)/a.tar:v1"]).expectSuccess()
            try await FerryCLI.run(["copy", "-q", "oci:\(dir)/src:v1", "docker-archive:\(dir)/d.tar:app:v1"]).expectSuccess()
            let expected = try FileSystem.readFile(LayoutSurgery(dir + "/src").blobPath(layer), limit: 1 << 24)
            for place in ["oci:\(dir)/src", "oci:\(dir)/src:v1", "oci-archive:\(dir)/a.tar"] {
                let result = try await FerryCLI.run(["inspect", "--blob", layer.description, place])
                #expect(result.exitCode == 0, "\(place): \(result.stderr)")
                #expect(result.stdoutBytes == expected, "\(place): \(result.stdoutBytes.count) bytes")
                #expect(result.stderr.isEmpty, "\(place): \(result.stderr)")
            }
            // The config: the same bytes as inspect --config prints.
            let config = try await FerryCLI.run(["inspect", "--blob", image.configDigest.description, "oci:\(dir)/src:v1"])
            let viaConfig = try await FerryCLI.run(["inspect", "--config", "oci:\(dir)/src:v1"])
            #expect(config.exitCode == 0 && config.stdoutBytes == viaConfig.stdoutBytes, "\(config.stderr)")
            // A docker-archive stores layers uncompressed: its blobs are named by DiffID.
            let diffID = image.diffIDs[1]
            let fromDocker = try await FerryCLI.run(["inspect", "--blob", diffID.description, "docker-archive:\(dir)/d.tar"])
            #expect(fromDocker.exitCode == 0, "\(fromDocker.stderr)")
            #expect(try DigestHasher.digest(fromDocker.stdoutBytes) == diffID)
            // Absent: not found (1), nothing on standard output.
            let absent = try await FerryCLI.run(["inspect", "--blob", "sha256:" + String(repeating: "0", count: 64), "oci:\(dir)/src"])
            #expect(absent.exitCode == 1 && absent.stdoutBytes.isEmpty, "\(absent.stderr)")
            // Not a digest: usage (2).
            let bad = try await FerryCLI.run(["inspect", "--blob", "sha256:xyz", "oci:\(dir)/src"])
            #expect(bad.exitCode == 2, "\(bad.stderr)")
            let mixed = try await FerryCLI.run(["inspect", "--blob", layer.description, "--raw", "oci:\(dir)/src"])
            #expect(mixed.exitCode == 2, "\(mixed.stderr)")
        }
    }

    @Test func aCorruptBlobIsWrittenThenRefusedWithExitOne() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await source(dir, seed: 1702)
            let layer = try #require(summary["v1"]?.images.first?.layerDigests[0])
            try LayoutSurgery(dir + "/src").flipByte(of: layer)
            let result = try await FerryCLI.run(["inspect", "--blob", layer.description, "oci:\(dir)/src"])
            #expect(result.exitCode == 1, "\(result.stderr)")
            #expect(!result.stdoutBytes.isEmpty, "the bytes are streamed before the digest is known")
            #expect(result.stderr.contains("bytes written to standard output are not blob \(layer)"), "\(result.stderr)")
            #expect(result.stderr.contains("ferry: error:") || result.stderr.contains("error:"), "\(result.stderr)")
        }
    }

    /// (file name, the compression its first bytes show).
    static let compressedArchives: [(String, [UInt8])] = [
        ("a.tar.gz", [0x1f, 0x8b]),
        ("a.tgz", [0x1f, 0x8b]),
        ("a.tar.zst", [0x28, 0xb5, 0x2f, 0xfd]),
    ]

    @Test(arguments: compressedArchives)
    func ociArchivesAreWrittenCompressedByTheirExtension(_ name: String, _ magic: [UInt8]) async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await source(dir, seed: 1703)
            let archive = dir + "/" + name
            try await FerryCLI.run(["copy", "-q", "oci:\(dir)/src:v1", "oci-archive:\(archive):v1"]).expectSuccess()
            let head = try FileSystem.readRange(archive, offset: 0, length: magic.count)
            #expect(head == magic, "\(name) starts with \(head)")
            // Read back by Ferry: verified, the same digest, and added to (a second name).
            try await FerryCLI.run(["verify", "oci-archive:\(archive)"]).expectSuccess()
            let digest = try await FerryCLI.run(["digest", "oci-archive:\(archive):v1"])
            #expect(digest.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == summary["v1"]?.digest.description)
            try await FerryCLI.run(["copy", "-q", "oci:\(dir)/src:v1", "oci-archive:\(archive):again"]).expectSuccess()
            #expect(try FileSystem.readRange(archive, offset: 0, length: magic.count) == magic)
            let tags = try await FerryCLI.run(["tags", "oci-archive:\(archive)"])
            #expect(tags.stdout.split(separator: "\n").sorted() == ["again", "v1"], "\(tags.stdout)\(tags.stderr)")
            // skopeo reads the compressed archive too (1.9 decompresses an oci-archive it opens):
            // the same manifest digest, and a copy out of it that verifies.
            if ExternalTool.skopeoAvailable {
                let raw = try await ExternalTool.run("skopeo", ["inspect", "--raw", "oci-archive:\(archive):v1"])
                #expect(raw.exitCode == 0, "\(raw.stderr)")
                #expect(try DigestHasher.digest(raw.stdoutBytes) == summary["v1"]?.digest)
                let copied = try await ExternalTool.run("skopeo", ["--insecure-policy", "copy", "-q", "oci-archive:\(archive):v1", "oci:\(dir)/by-skopeo:v1"])
                #expect(copied.exitCode == 0, "\(copied.stderr)")
                try await FerryCLI.run(["verify", "oci:\(dir)/by-skopeo"]).expectSuccess()
            }
        }
    }
}

extension ProcessResult {
    /// Records an issue naming the standard error when the command failed.
    func expectSuccess(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(exitCode == 0, "\(stderr)", sourceLocation: sourceLocation)
    }
}
