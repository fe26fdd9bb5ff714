import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// Copying into an `oci-archive:` or `docker-archive:` that exists adds to it, as a layout
/// directory accumulates: `… x.tar:v1` then `… x.tar:v2` holds both.
@Suite(.enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct ArchiveAccumulateTests {
    private func copy(_ dir: String, _ tag: String, to archive: String, as name: String) async throws {
        _ = try await CopyOperation(
            source: try OCILayoutSource(path: dir + "/src"), destination: try OCIArchiveDestination(path: archive, durable: false),
            selector: .name(tag), options: CopyOptions(destinationNames: [name])
        ).run()
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
            _ = FileManager.default.createFile(atPath: dir + "/x.tar", contents: precious)
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

    private func copyToDockerArchive(_ dir: String, _ tag: String, as name: String, layout: DockerArchiveDestination.Layout = .legacy) async throws {
        _ = try await CopyOperation(
            source: try OCILayoutSource(path: dir + "/src"), destination: try DockerArchiveDestination(path: dir + "/d.tar", durable: false, layout: layout),
            selector: .name(tag), options: CopyOptions(destinationNames: [name])
        ).run()
    }

    @Test(arguments: DockerArchiveDestination.Layout.allCases)
    func dockerArchiveKeepsTheFirstImage(_ layout: DockerArchiveDestination.Layout) async throws {
        try await withTemporaryDirectory { dir in
            _ = try await source(dir)
            try await copyToDockerArchive(dir, "v1", as: "app:v1", layout: layout)
            try await copyToDockerArchive(dir, "v2", as: "app:v2", layout: layout)
            try await copyToDockerArchive(dir, "v2", as: "app:latest", layout: layout)
            let archive = try DockerArchiveSource(path: dir + "/d.tar")
            let entries = try await archive.entries()
            // Two images, three names (a Docker 25 archive lists an index entry per name).
            #expect(Set(entries.map(\.descriptor.digest)).count == 2, "\(entries.map(\.names))")
            #expect(Set(entries.flatMap(\.names)) == ["app:v1", "app:v2", "app:latest"])
            let v1 = try await archive.entry(matching: .name("app:v1")).descriptor.digest
            let v2 = try await archive.entry(matching: .name("app:v2")).descriptor.digest
            let latest = try await archive.entry(matching: .name("app:latest")).descriptor.digest
            #expect(v1 != v2)
            #expect(latest == v2)
            let report = await Verifier(reference: try TransportReference(parsing: "docker-archive:\(dir)/d.tar")).run()
            #expect(report.status == .valid, "\(report.problems)")
        }
    }

    @Test func aFileThatIsNotADockerArchiveIsNotReplaced() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await source(dir)
            let precious = Data("not an archive".utf8)
            _ = FileManager.default.createFile(atPath: dir + "/d.tar", contents: precious)
            await #expect(throws: TransportError.self) { try await copyToDockerArchive(dir, "v1", as: "app:v1") }
            #expect(FileManager.default.contents(atPath: dir + "/d.tar") == precious)
        }
    }
}
