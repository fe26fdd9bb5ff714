import Foundation
import FerrySpec
import FerryTestSupport
import FerryTransports
import Testing

/// `ferry copy --json` and `--digestfile`: what a script reads from a copy.
@Suite(.enabled(if: FerryCLI.available, "no ferry binary (swift build, or set FERRY_BIN)"))
struct CopyJSONCLITests {
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

    private func object(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func copyJSONNamesEveryImageWithItsDigestsAndBlobs() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await source(dir, seed: 411)
            let digest = try #require(summary["v1"]?.digest)
            let result = try await FerryCLI.run(["copy", "--json", "--no-sync", "oci:\(dir)/src:v1", "oci:\(dir)/dst:copied"])
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(!result.stderr.contains("{"), "JSON leaked to stderr: \(result.stderr)")
            let json = try object(result.stdoutBytes)
            #expect(json["schemaVersion"] as? Int == 1)
            #expect(json["source"] as? String == "oci:\(dir)/src:v1")
            #expect(json["destination"] as? String == "oci:\(dir)/dst:copied")
            let images = try #require(json["images"] as? [[String: Any]])
            #expect(images.count == 1)
            let image = try #require(images.first)
            #expect(image["source"] as? String == "oci:\(dir)/src:v1")
            #expect(image["destination"] as? String == "oci:\(dir)/dst:copied")
            #expect(image["names"] as? [String] == ["copied"])
            #expect(image["sourceDigest"] as? String == digest.description)
            #expect(image["destinationDigest"] as? String == digest.description)
            #expect(image["digestChanged"] as? Bool == false)
            let blobs = try #require(image["blobs"] as? [String: Any])
            #expect(blobs["copied"] as? Int == 3)
            #expect(blobs["skipped"] as? Int == 0)
            #expect((blobs["bytesCopied"] as? Int ?? 0) > 8192)
            #expect((json["changedDigests"] as? [String: String])?.isEmpty == true)

            // Again: everything is already there, so every blob is skipped, bytes counted as such.
            let again = try await FerryCLI.run(["copy", "--json", "--no-sync", "oci:\(dir)/src:v1", "oci:\(dir)/dst:copied"])
            #expect(again.exitCode == 0, "\(again.stderr)")
            let totals = try #require(try object(again.stdoutBytes)["totals"] as? [String: Any])
            let totalBlobs = try #require(totals["blobs"] as? [String: Any])
            #expect(totalBlobs["copied"] as? Int == 0)
            #expect(totalBlobs["skipped"] as? Int == 3)
            #expect(totalBlobs["bytesSkipped"] as? Int == blobs["bytesCopied"] as? Int)
        }
    }

    @Test func copyJSONReportsChangedDigestsAndEveryImageOfAll() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await source(dir, seed: 412)
            let result = try await FerryCLI.run(["copy", "--json", "--all", "--format", "v2s2", "--no-sync", "oci:\(dir)/src", "oci:\(dir)/dst"])
            #expect(result.exitCode == 0, "\(result.stderr)")
            let json = try object(result.stdoutBytes)
            let images = try #require(json["images"] as? [[String: Any]])
            #expect(images.map { $0["names"] as? [String] ?? [] } == [["v1"], ["multi"]])
            #expect(images.map { $0["source"] as? String } == ["oci:\(dir)/src:@0", "oci:\(dir)/src:@1"])
            #expect(images.map { $0["sourceDigest"] as? String } == [summary["v1"]?.digest.description, summary["multi"]?.digest.description])
            #expect(images.allSatisfy { $0["digestChanged"] as? Bool == true })
            let changed = try #require(json["changedDigests"] as? [String: String])
            for image in images {
                let before = try #require(image["sourceDigest"] as? String)
                #expect(changed[before] == image["destinationDigest"] as? String)
            }
            // Each destination reference reads back the image with that digest.
            for image in images {
                let digest = try await FerryCLI.run(["digest", try #require(image["destination"] as? String)])
                #expect(digest.stdout == "\(try #require(image["destinationDigest"] as? String))\n", "\(digest.stderr)")
            }
        }
    }

    @Test(.enabled(if: ExternalTool.find("jq") != nil, "jq not installed"))
    func copyJSONAnswersJq() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await source(dir, seed: 413)
            let ferry = try #require(FerryCLI.path)
            let script = """
                "$0" copy --json --no-sync "oci:$1/src:v1" "oci:$1/dst:v1" | jq -e '.schemaVersion == 1 and (.images | length) == 1 and .images[0].blobs.copied == 3 and (.images[0].destinationDigest | startswith("sha256:")) and (.notes | type) == "array"'
                """
            let result = try await ExternalTool.run("sh", ["-c", script, ferry, dir])
            #expect(result.exitCode == 0, "stdout: \(result.stdout) stderr: \(result.stderr)")
            #expect(result.stdout == "true\n")
        }
    }

    @Test func digestFileHoldsTheDestinationDigestAsSkopeoWritesIt() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await source(dir, seed: 414)
            let result = try await FerryCLI.run(["copy", "--quiet", "--no-sync", "--digestfile", "\(dir)/digest", "oci:\(dir)/src:multi", "oci:\(dir)/dst:m"])
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(result.stdout.isEmpty)
            let written = try String(contentsOfFile: dir + "/digest", encoding: .utf8)
            #expect(written == summary["multi"]?.digest.description)
        }
    }

    @Test func anIndexIntoADockerArchiveNotesTheHostPlatformTaken() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await source(dir, seed: 416)
            let result = try await FerryCLI.run(["copy", "--json", "--no-sync", "oci:\(dir)/src:multi", "docker-archive:\(dir)/one.tar:ferry/multi:1"])
            #expect(result.exitCode == 0, "\(result.stderr)")
            let multi = try #require(summary["multi"]?.digest)
            let notes = try #require(try object(result.stdoutBytes)["notes"] as? [String])
            #expect(notes.count == 1)
            #expect(notes.first?.contains("\(multi) is a multi-platform index") == true, "\(notes)")
            #expect(notes.first?.contains("choose another with --platform") == true)
            #expect(result.stderr.contains("ferry copy: note: \(multi) is a multi-platform index"))

            let chosen = try await FerryCLI.run([
                "copy", "--json", "--no-sync", "--platform", "linux/arm64", "oci:\(dir)/src:multi", "docker-archive:\(dir)/arm.tar:ferry/multi:1",
            ])
            #expect(try object(chosen.stdoutBytes)["notes"] as? [String] == [])
        }
    }

    @Test func jsonAndAnArchiveOnStandardOutputIsAUsageError() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await source(dir, seed: 415)
            let result = try await FerryCLI.run(["copy", "--json", "oci:\(dir)/src:v1", "docker-archive:-"])
            #expect(result.exitCode == 2)
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.contains("--json prints to standard output"), "\(result.stderr)")
        }
    }
}
