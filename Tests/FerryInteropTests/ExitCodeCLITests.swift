import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// Exit codes as the README defines them, one test per class, with `copy`, `verify` and
/// `inspect` agreeing: 1 invalid input, 2 usage, 3 source unreadable, 4 destination unwritable.
@Suite(
    .enabled(if: FerryCLI.available, "no ferry binary (swift build, or set FERRY_BIN)"),
    .enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct ExitCodeCLITests {
    private func source(_ dir: String) async throws -> TestImageBuilder.Summary {
        var builder = TestImageBuilder(seed: 1290)
        builder.addImage(tag: "v1", layerCount: 2, layerSize: 200_000)
        return try await builder.write(to: dir + "/src")
    }

    private func expect(_ arguments: [String], exits status: Int32, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let result = try await FerryCLI.run(arguments)
        #expect(result.exitCode == status, "ferry \(arguments.joined(separator: " ")): \(result.stdout)\(result.stderr)", sourceLocation: sourceLocation)
    }

    @Test func usageIs2() async throws {
        try await expect(["copy", "bogus:x", "oci:/tmp/x"], exits: 2)
        try await expect(["verify", "bogus:x"], exits: 2)
        try await expect(["inspect", "oci:"], exits: 2)
    }

    @Test func unreadableSourceIs3() async throws {
        try await withTemporaryDirectory { dir in
            for place in ["oci:\(dir)/missing", "oci-archive:\(dir)/missing.tar", "docker-archive:\(dir)/missing.tar", "dir:\(dir)/missing"] {
                try await expect(["copy", "-q", place, "oci:\(dir)/dst"], exits: 3)
                try await expect(["verify", place], exits: 3)
                try await expect(["inspect", place], exits: 3)
            }
            // Port 9 (discard) on 127.0.0.1: nothing listens there in the test environment.
            try await expect(["copy", "-q", "docker://127.0.0.1:9/ferry/none:x", "oci:\(dir)/dst"], exits: 3)
            try await expect(["verify", "docker://127.0.0.1:9/ferry/none:x"], exits: 3)
        }
    }

    @Test func invalidInputIs1() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await source(dir)
            try await expect(["copy", "-q", "oci:\(dir)/src:nope", "oci:\(dir)/dst"], exits: 1)
            try await expect(["verify", "oci:\(dir)/src:nope"], exits: 1)
            try await expect(["inspect", "oci:\(dir)/src:nope"], exits: 1)
            let layer = try #require(summary["v1"]?.images.first?.layerDigests.first)
            try LayoutSurgery(dir + "/src").remove(layer)
            try await expect(["copy", "-q", "oci:\(dir)/src:v1", "oci:\(dir)/dst"], exits: 1)
            try await expect(["verify", "oci:\(dir)/src:v1"], exits: 1)
        }
    }

    @Test func unwritableDestinationIs4() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await source(dir)
            _ = FileManager.default.createFile(atPath: dir + "/file", contents: Data("x".utf8))
            try await expect(["copy", "-q", "oci:\(dir)/src:v1", "oci:\(dir)/file/sub"], exits: 4)
            try await expect(["copy", "-q", "oci:\(dir)/src:v1", "oci-archive:\(dir)/file/sub.tar"], exits: 4)
            try await expect(["copy", "-q", "oci:\(dir)/src:v1", "docker://127.0.0.1:9/ferry/none:x"], exits: 4)
        }
    }

    /// A full disk, played by a file-size limit (`ulimit -f`, with SIGXFSZ ignored so writes
    /// fail with EFBIG): exit 4, not 3 ("source could not be read"), naming the file.
    @Test(
        .enabled(if: ExternalTool.find("sh") != nil, "sh not installed"),
        // `ferry --version` alone dies of SIGBUS inside the ThreadSanitizer runtime under a file-size
        // limit, before any of Ferry's code runs (docs/sanitizers.md).
        .disabled(if: ProcessInfo.processInfo.environment["FERRY_SANITIZE"] == "thread", "ThreadSanitizer's runtime cannot run under ulimit -f"),
        arguments: ["oci", "oci-archive", "docker-archive"])
    func fullDiskIs4(_ transport: String) async throws {
        try await withTemporaryDirectory { dir in
            _ = try await source(dir)
            let ferry = try #require(FerryCLI.path)
            let destination = transport == "oci" ? "oci:\(dir)/dst:v1" : "\(transport):\(dir)/dst.tar:v1"
            let result = try await ExternalTool.run(
                "sh", ["-c", "trap '' XFSZ; ulimit -f 64; exec \"$0\" \"$@\"", ferry, "copy", "-q", "oci:\(dir)/src:v1", destination])
            #expect(result.exitCode == 4, "\(result.stderr)")
            #expect(result.stderr.contains("File too large"), "\(result.stderr)")
        }
    }
}
