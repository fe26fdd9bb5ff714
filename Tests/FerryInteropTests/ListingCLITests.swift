import Foundation
import FerrySpec
import FerryTestSupport
import FerryTransports
import Testing

/// `ferry tags` and `ferry inspect` on layouts and archives with several images, and `--json` on
/// `tags` and `digest`: the built binary, stdout and stderr apart, JSON read back.
@Suite(.enabled(if: FerryCLI.available, "no ferry binary (swift build, or set FERRY_BIN)"))
struct ListingCLITests {
    /// A layout with image `v1` and index `multi`.
    private func source(_ dir: String, seed: UInt64) async throws -> TestImageBuilder.Summary {
        var builder = TestImageBuilder(seed: seed)
        builder.addImage(tag: "v1", layerCount: 1, layerSize: 1024)
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

    @Test func tagsListsTheNamesOfALayoutAndAnArchive() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await source(dir, seed: 511)
            let tags = try await FerryCLI.run(["tags", "oci:\(dir)/src"])
            #expect(tags.exitCode == 0, "\(tags.stderr)")
            #expect(tags.stdout == "v1\nmulti\n")
            #expect(tags.stderr.isEmpty)

            let archived = try await FerryCLI.run(["copy", "--all", "--quiet", "oci:\(dir)/src", "oci-archive:\(dir)/all.tar"])
            #expect(archived.exitCode == 0, "\(archived.stderr)")
            let json = try await FerryCLI.run(["tags", "--json", "oci-archive:\(dir)/all.tar"])
            #expect(json.exitCode == 0, "\(json.stderr)")
            let decoded = try object(json.stdoutBytes)
            #expect(decoded["schemaVersion"] as? Int == 1)
            #expect(decoded["tags"] as? [String] == ["v1", "multi"])
            let entries = try #require(decoded["entries"] as? [[String: Any]])
            #expect(entries.map { $0["digest"] as? String } == [summary["v1"]?.digest.description, summary["multi"]?.digest.description])
            #expect(entries.map { $0["reference"] as? String } == ["oci-archive:\(dir)/all.tar:v1", "oci-archive:\(dir)/all.tar:multi"])
        }
    }

    @Test func inspectOfALayoutWithSeveralImagesListsThem() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await source(dir, seed: 512)
            let text = try await FerryCLI.run(["inspect", "oci:\(dir)/src"])
            #expect(text.exitCode == 0, "\(text.stderr)")
            #expect(text.stdout.contains("oci:\(dir)/src holds 2 images:"), "\(text.stdout)")
            #expect(text.stdout.contains("\(try #require(summary["v1"]?.digest))  v1"))
            #expect(text.stdout.contains("ferry inspect oci:\(dir)/src:v1"))

            let json = try await FerryCLI.run(["inspect", "--json", "oci:\(dir)/src"])
            #expect(json.exitCode == 0, "\(json.stderr)")
            let decoded = try object(json.stdoutBytes)
            #expect(decoded["schemaVersion"] as? Int == 1)
            let entries = try #require(decoded["entries"] as? [[String: Any]])
            #expect(entries.map { $0["names"] as? [String] ?? [] } == [["v1"], ["multi"]])
            #expect(entries.map { $0["mediaType"] as? String } == ["application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json"])
            // Each listed reference inspects that entry.
            for entry in entries {
                let one = try await FerryCLI.run(["digest", try #require(entry["reference"] as? String)])
                #expect(one.stdout == "\(try #require(entry["digest"] as? String))\n")
            }
        }
    }

    @Test func digestJSON() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await source(dir, seed: 513)
            let result = try await FerryCLI.run(["digest", "--json", "oci:\(dir)/src:multi"])
            #expect(result.exitCode == 0, "\(result.stderr)")
            let decoded = try object(result.stdoutBytes)
            #expect(decoded["schemaVersion"] as? Int == 1)
            #expect(decoded["digest"] as? String == summary["multi"]?.digest.description)
            #expect(decoded["mediaType"] as? String == "application/vnd.oci.image.index.v1+json")
            #expect(decoded["source"] as? String == "oci:\(dir)/src:multi")

            try Data("hello\n".utf8).write(to: URL(fileURLWithPath: dir + "/f"))
            let files = try await FerryCLI.run(["digest", "--json", "--file", dir + "/f"])
            let decodedFiles = try #require(try object(files.stdoutBytes)["files"] as? [[String: String]])
            #expect(decodedFiles == [["path": dir + "/f", "digest": "sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"]])
        }
    }
}
