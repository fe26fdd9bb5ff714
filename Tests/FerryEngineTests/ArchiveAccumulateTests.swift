import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// Copying into an `oci-archive:` that exists adds to it, as a layout directory accumulates:
/// `… x.tar:v1` then `… x.tar:v2` holds both.
@Suite(.enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct ArchiveAccumulateTests {
    private func copy(_ dir: String, _ tag: String, to archive: String, as name: String) async throws {
        _ = try await CopyOperation(
            source: try OCILayoutSource(path: dir + "/src"), destination: try OCIArchiveDestination(path: archive, durable: false),
            selector: .name(tag), options: CopyOptions(destinationNames: [name])).run()
    }

    private func source(_ dir: String) async throws -> TestImageBuilder.Summary {
        var builder = TestImageBuilder(seed: 1280)
        builder.addImage(tag: "v1", layerCount: 2, layerSize: 4096)
        builder.addImage(tag: "v2", layerCount: 2, layerSize: 4096)
        return try await builder.write(to: dir + "/src")
    }

    @Test func secondCopyKeepsTheFirstImage() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await source(dir)
            try await copy(dir, "v1", to: dir + "/x.tar", as: "v1")
            try await copy(dir, "v2", to: dir + "/x.tar", as: "v2")
            let entries = try await OCIArchiveSource(path: dir + "/x.tar").entries()
            #expect(entries.map(\.names) == [["v1"], ["v2"]])
            #expect(entries.map(\.descriptor.digest) == [summary["v1"]?.digest, summary["v2"]?.digest])
            let report = await Verifier(reference: try TransportReference(parsing: "oci-archive:\(dir)/x.tar"), options: VerifyOptions(strict: true)).run()
            #expect(report.status == .valid, "\(report.problems)")
        }
    }

    @Test func aNameGivenAgainMovesToTheNewImage() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await source(dir)
            try await copy(dir, "v1", to: dir + "/x.tar", as: "latest")
            try await copy(dir, "v2", to: dir + "/x.tar", as: "latest")
            let archive = try OCIArchiveSource(path: dir + "/x.tar")
            #expect(try await archive.entry(matching: .name("latest")).descriptor.digest == summary["v2"]?.digest)
            #expect(try await archive.entries().count == 2)
        }
    }

    @Test func aFileThatIsNotAnArchiveIsNotReplaced() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await source(dir)
            let precious = Data("not an archive".utf8)
            FileManager.default.createFile(atPath: dir + "/x.tar", contents: precious)
            do {
                try await copy(dir, "v1", to: dir + "/x.tar", as: "v1")
                Issue.record("replaced a file that is not an archive")
            } catch {
                #expect("\(error)".contains("refusing to replace it"), "\(error)")
            }
            #expect(FileManager.default.contents(atPath: dir + "/x.tar") == precious)
        }
    }

    @Test func twoCopiesToOneArchiveAtOnceKeepBoth() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await source(dir)
            try await copy(dir, "v1", to: dir + "/x.tar", as: "seed")
            let first = try OCIArchiveDestination(path: dir + "/x.tar", durable: false)
            let second = try OCIArchiveDestination(path: dir + "/x.tar", durable: false)
            let src = try OCILayoutSource(path: dir + "/src")
            async let a = CopyOperation(source: src, destination: first, selector: .name("v1"), options: CopyOptions(destinationNames: ["a"])).run()
            async let b = CopyOperation(source: src, destination: second, selector: .name("v2"), options: CopyOptions(destinationNames: ["b"])).run()
            _ = try await (a, b)
            let names = try await OCIArchiveSource(path: dir + "/x.tar").entries().flatMap(\.names)
            #expect(Set(names) == ["seed", "a", "b"])
        }
    }
}
