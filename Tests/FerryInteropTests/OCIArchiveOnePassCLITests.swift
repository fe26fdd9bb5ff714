import Foundation
import FerrySpec
import FerryTestSupport
import FerryTransports
import Testing

/// A compressed or piped `oci-archive:` is read once, front to back — counted with strace: the
/// bytes read from the archive file, against its size — and copies like the plain archive.
@Suite(
    .enabled(if: FerryCLI.available, "no ferry binary (swift build, or set FERRY_BIN)"),
    .enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct OCIArchiveOnePassCLITests {
    /// A plain bundle of three images and its gzip-compressed copy.
    func archives(_ dir: String) async throws -> (plain: String, compressed: String, summary: TestImageBuilder.Summary) {
        var builder = TestImageBuilder(seed: 1601)
        builder.addImage(tag: "one", layerCount: 3, layerSize: 200_000)
        builder.addImage(tag: "two", layerCount: 2, layerSize: 150_000)
        builder.addImage(tag: "three", layerCount: 4, layerSize: 100_000)
        let summary = try await builder.write(to: dir + "/layout")
        let copied = try await FerryCLI.run(["sync", "-q", "--no-sync", "oci:\(dir)/layout", "oci-archive:\(dir)/b.tar"])
        #expect(copied.exitCode == 0, "\(copied.stderr)")
        try await ExternalTool.runChecked("sh", ["-c", "gzip -1 -c \"$0\" > \"$1\"", dir + "/b.tar", dir + "/b.tar.gz"])
        return (dir + "/b.tar", dir + "/b.tar.gz", summary)
    }

    @Test func aCompressedArchiveIsReadOnce() async throws {
        let strace = try ExternalTool.require("strace")
        let ferry = try #require(FerryCLI.path)
        try await withTemporaryDirectory { dir in
            let (_, compressed, _) = try await archives(dir)
            let size = try #require(FileManager.default.attributesOfItem(atPath: compressed)[.size] as? NSNumber).int64Value
            // Each image of the archive, one copy each: the whole archive is read once per copy.
            let result = try await ExternalTool.run(
                strace,
                [
                    "-f", "-y", "-e", "trace=read,pread64", "-o", dir + "/trace", ferry, "copy", "-q", "--no-sync", "oci-archive:\(compressed):one",
                    "oci:\(dir)/out:one",
                ])
            #expect(result.exitCode == 0, "\(result.stderr)")
            var read: Int64 = 0
            for line in try String(contentsOfFile: dir + "/trace", encoding: .utf8).split(separator: "\n") where line.contains("b.tar.gz>") {
                if let equals = line.range(of: "= ", options: .backwards), let count = Int64(line[equals.upperBound...]) { read += count }
            }
            #expect(read >= size && read < size + size / 10 + 64 * 1024, "read \(read) bytes of a \(size)-byte archive")
            let verified = try await FerryCLI.run(["verify", "oci:\(dir)/out"])
            #expect(verified.exitCode == 0, "\(verified.stdout)")
        }
    }

    @Test(arguments: ["cat", "gzip -1 -c"])
    func aPipedArchiveCopiesLikeTheFile(_ feeder: String) async throws {
        let ferry = try #require(FerryCLI.path)
        try await withTemporaryDirectory { dir in
            let (plain, _, summary) = try await archives(dir)
            let piped = try await ExternalTool.run(
                "sh", ["-c", "\(feeder) \"$1\" | \"$0\" copy -q --no-sync oci-archive:-:two \"$2\"", ferry, plain, "oci:\(dir)/piped:two"])
            #expect(piped.exitCode == 0, "\(piped.stderr)")
            let entry = try await OCILayoutSource(path: dir + "/piped").entry(matching: .name("two"))
            #expect(entry.descriptor.digest == summary.manifestDigests["two"])
            let verified = try await FerryCLI.run(["verify", "oci:\(dir)/piped"])
            #expect(verified.exitCode == 0, "\(verified.stdout)")
            let refused = try await ExternalTool.run("sh", ["-c", "cat \"$1\" | \"$0\" verify oci-archive:-", ferry, plain])
            #expect(refused.exitCode == 2 && refused.stderr.contains("is a pipe"), "\(refused.stderr)")
        }
    }
}
