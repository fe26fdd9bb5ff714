import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// The built `ferry` executable: `$FERRY_BIN` when set, else `.build/debug/ferry` in the package
/// root (what `swift build --build-tests` produces), else `nil`.
enum FerryCLI {
    static var path: String? { SharedFixtures.builtFerry }

    static var available: Bool { path != nil }

    static func run(_ arguments: [String]) async throws -> ProcessResult {
        try await ExternalTool.run(try #require(path), arguments)
    }
}

/// The `ferry` command as a user runs it: exit codes, standard output and standard error.
@Suite(
    .enabled(if: FerryCLI.available, "no ferry binary (swift build, or set FERRY_BIN)"),
    .enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct CLITests {
    /// A layout with image `v1` (2 layers) and index `multi` (2 platforms).
    private func source(_ dir: String, seed: UInt64) async throws -> TestImageBuilder.Summary {
        var builder = TestImageBuilder(seed: seed)
        builder.addImage(tag: "v1", layerCount: 2, layerSize: 4096)
        builder.addIndex(
            tag: "multi",
            platforms: [
                Platform(os: "linux", architecture: "amd64"),
                Platform(os: "linux", architecture: "arm64", variant: "v8"),
            ],
            layerCount: 1, layerSize: 1024)
        return try await builder.write(to: dir + "/src")
    }

    @Test func copyPrintsTheDigestAndWritesALayout() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await source(dir, seed: 301)
            let digest = try #require(summary["v1"]?.digest)
            let result = try await FerryCLI.run(["copy", "--no-sync", "oci:\(dir)/src:v1", "oci:\(dir)/dst:copied"])
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(result.stdout.contains("Copied \(digest) as copied"))
            #expect(result.stdout.contains("3 blobs written"))
            let entry = try await OCILayoutSource(path: dir + "/dst").entry(matching: .name("copied"))
            #expect(entry.descriptor.digest == digest)
        }
    }

    @Test func copyAllIntoAnArchive() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await source(dir, seed: 302)
            let result = try await FerryCLI.run(["copy", "--all", "--quiet", "oci:\(dir)/src", "oci-archive:\(dir)/all.tar"])
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(result.stdout.isEmpty)
            let entries = try await OCIArchiveSource(path: dir + "/all.tar").entries()
            #expect(entries.map(\.names) == [["v1"], ["multi"]])
            #expect(entries.map(\.descriptor.digest) == [summary["v1"]?.digest, summary["multi"]?.digest])
        }
    }

    @Test func digestPrintsTheManifestDigest() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await source(dir, seed: 303)
            for tag in ["v1", "multi"] {
                let result = try await FerryCLI.run(["digest", "oci:\(dir)/src:\(tag)"])
                #expect(result.exitCode == 0, "\(result.stderr)")
                #expect(result.stdout == "\(try #require(summary[tag]?.digest))\n")
            }
        }
    }

    @Test func inspectRawPrintsTheExactBytes() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await source(dir, seed: 304)
            for tag in ["v1", "multi"] {
                let result = try await FerryCLI.run(["inspect", "--raw", "oci:\(dir)/src:\(tag)"])
                #expect(result.exitCode == 0, "\(result.stderr)")
                #expect(try DigestHasher.digest(result.stdoutBytes) == summary[tag]?.digest)
            }
        }
    }

    @Test func inspectJSONDescribesImageAndIndex() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await source(dir, seed: 305)
            let image = try await FerryCLI.run(["inspect", "--json", "oci:\(dir)/src:v1"])
            #expect(image.exitCode == 0, "\(image.stderr)")
            let decoded = try JSONDecoder().decode(Inspection.self, from: Data(image.stdoutBytes))
            let expected = try #require(summary["v1"]?.images.first)
            #expect(decoded.digest == expected.manifestDigest)
            #expect(decoded.names == ["v1"])
            #expect(decoded.images.first?.configDigest == expected.configDigest)
            #expect(decoded.images.first?.layers.map(\.digest) == expected.layerDigests)
            #expect(decoded.images.first?.diffIDs == expected.diffIDs)
            #expect(decoded.images.first?.env == ["PATH=/usr/bin:/bin"])

            let index = try await FerryCLI.run(["inspect", "--json", "oci:\(dir)/src:multi"])
            #expect(index.exitCode == 0, "\(index.stderr)")
            let decodedIndex = try JSONDecoder().decode(Inspection.self, from: Data(index.stdoutBytes))
            #expect(decodedIndex.digest == summary["multi"]?.digest)
            #expect(decodedIndex.platforms == ["linux/amd64", "linux/arm64/v8"])
            #expect(decodedIndex.images.map(\.digest) == summary["multi"]?.images.map(\.manifestDigest))
        }
    }

    /// Malformed transport strings: a usage error naming the problem, with an example to copy.
    @Test(arguments: [
        // No `TRANSPORT:` prefix at all.
        (["copy", "nope", "./x"], "names no transport"),
        // A known transport with nothing after the colon.
        (["copy", "oci:", "oci:./x"], "has an empty path"),
        // A reference that breaks the ref.name grammar (space and `!`).
        (["copy", "oci:x:bad name!", "oci:./y"], "is not a valid reference name"),
        // An unknown transport, in the destination position.
        (["copy", "oci:./x", "tarball:./y"], "unknown transport \"tarball\""),
        // A position that is not a number, for inspect.
        (["inspect", "oci:./x:@one"], "is not a position"),
    ])
    func malformedTransportIsAUsageErrorWithAnExample(arguments: [String], problem: String) async throws {
        try await withTemporaryDirectory { dir in
            let result = try await ExternalTool.run(try #require(FerryCLI.path), arguments, currentDirectory: dir)
            #expect(result.exitCode != 0)
            #expect(result.stderr.contains(problem), "stderr: \(result.stderr)")
            if problem != "is not a position" {
                #expect(result.stderr.contains("e.g. oci:"), "no example in: \(result.stderr)")
            }
            #expect(!FileManager.default.fileExists(atPath: dir + "/x") && !FileManager.default.fileExists(atPath: dir + "/y"))
        }
    }

    @Test func missingBlobFailsNamingTheBlob() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await source(dir, seed: 306)
            let missing = try #require(summary["v1"]?.images.first?.layerDigests.last)
            try LayoutSurgery(dir + "/src").remove(missing)
            let result = try await FerryCLI.run(["copy", "--no-sync", "oci:\(dir)/src:v1", "oci:\(dir)/dst:v1"])
            #expect(result.exitCode != 0)
            // Plain progress lines (stderr is not a terminal) may come first; the error is last.
            #expect(result.stderr.split(separator: "\n").last?.hasPrefix("ferry: error: ") == true, "stderr: \(result.stderr)")
            #expect(result.stderr.contains(missing.description), "stderr: \(result.stderr)")
            #expect(result.stderr.contains("missing"))
            #expect(!FileManager.default.fileExists(atPath: dir + "/dst/index.json"))
        }
    }

    @Test func unknownNameListsWhatTheLayoutHolds() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await source(dir, seed: 307)
            let result = try await FerryCLI.run(["digest", "oci:\(dir)/src:v2"])
            #expect(result.exitCode != 0)
            #expect(result.stderr.contains("no image named \"v2\""), "stderr: \(result.stderr)")
            #expect(result.stderr.contains("v1, multi"))
        }
    }
}
