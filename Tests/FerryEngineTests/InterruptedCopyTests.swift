import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// A copy cut short leaves a destination that the rerun finishes, and what it half-wrote is
/// cleared; copies running at the same time keep their files and each other's names.
@Suite(.enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct InterruptedCopyTests {
    private func source(_ dir: String, seed: UInt64, tags: [String] = ["1.0"]) async throws -> TestImageBuilder.Summary {
        var builder = TestImageBuilder(seed: seed)
        for tag in tags { builder.addImage(tag: tag, layerCount: 2, layerSize: 8192) }
        return try await builder.write(to: dir + "/src")
    }

    /// A file as a killed writer leaves it: present, with bytes, and nobody holding it.
    private func leaveStaleFile(_ path: String) {
        _ = FileManager.default.createFile(atPath: path, contents: Data(repeating: 7, count: 1000))
    }

    private func copy(_ dir: String, tag: String, to destination: any ImageDestination) async throws -> CopyReport {
        try await CopyOperation(source: try OCILayoutSource(path: dir + "/src"), destination: destination, selector: .name(tag)).run()
    }

    private func verify(_ place: String) async -> VerificationReport {
        await Verifier(reference: try! TransportReference(parsing: place), options: VerifyOptions(strict: true)).run()
    }

    /// What an older Ferry left when killed during a first copy: blobs (one landed, one half
    /// written) and no `oci-layout`. The rerun takes the directory and finishes the job.
    @Test func rerunFinishesAFirstCopyKilledBeforeOCILayout() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await source(dir, seed: 1201)
            let layer = try #require(summary["1.0"]?.images.first?.layerDigests.first)
            try FileManager.default.createDirectory(atPath: dir + "/dst/blobs/sha256", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: dir + "/src/blobs/sha256/" + layer.encoded, toPath: dir + "/dst/blobs/sha256/" + layer.encoded)
            leaveStaleFile(dir + "/dst/blobs/..incoming.tmp-Ab12Cd")
            leaveStaleFile(dir + "/dst/blobs/sha256/.\(layer.encoded).tmp-xY9zQ1")
            leaveStaleFile(dir + "/dst/.oci-layout.tmp-000000")

            let report = try await copy(dir, tag: "1.0", to: try OCILayoutDestination(path: dir + "/dst"))
            #expect(report.blobsSkipped == 1)
            #expect(report.blobsCopied == 2)
            let names = try FileManager.default.subpathsOfDirectory(atPath: dir + "/dst")
            #expect(names.filter { $0.contains(".tmp-") }.isEmpty, "\(names)")
            let verification = await verify("oci:\(dir)/dst")
            #expect(verification.status == .valid, "\(verification.problems)")
        }
    }

    /// The same for `dir:`: blobs by hex and a half-written temporary file, no `version` (an
    /// older Ferry wrote it last).
    @Test func rerunFinishesADirCopyKilledBeforeVersion() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await source(dir, seed: 1206)
            let layer = try #require(summary["1.0"]?.images.first?.layerDigests.first)
            try FileManager.default.createDirectory(atPath: dir + "/dst", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: dir + "/src/blobs/sha256/" + layer.encoded, toPath: dir + "/dst/" + layer.encoded)
            leaveStaleFile(dir + "/dst/..incoming.tmp-Zz09Yy")

            let report = try await copy(dir, tag: "1.0", to: try DirectoryDestination(path: dir + "/dst"))
            #expect(report.blobsSkipped == 1)
            let names = try FileManager.default.contentsOfDirectory(atPath: dir + "/dst")
            #expect(names.filter { $0.contains(".tmp-") }.isEmpty, "\(names)")
            let verification = await verify("dir:\(dir)/dst")
            #expect(verification.status == .valid, "\(verification.problems)")
            try FileManager.default.createDirectory(atPath: dir + "/other", withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: dir + "/other/notes.txt", contents: Data("mine".utf8))
            #expect(throws: TransportError.self) { try DirectoryDestination(path: dir + "/other") }
        }
    }

    /// A directory holding anything besides Ferry's own partial state is still refused.
    @Test func directoryWithOtherFilesIsStillRefused() async throws {
        try await withTemporaryDirectory { dir in
            try FileManager.default.createDirectory(atPath: dir + "/dst/blobs/sha256", withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: dir + "/dst/notes.txt", contents: Data("mine".utf8))
            #expect(throws: TransportError.self) { try OCILayoutDestination(path: dir + "/dst") }
            try FileManager.default.createDirectory(atPath: dir + "/dst2/blobs/sha256", withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: dir + "/dst2/blobs/sha256/README.md", contents: Data("x".utf8))
            #expect(throws: TransportError.self) { try OCILayoutDestination(path: dir + "/dst2") }
        }
    }

    /// `oci-layout` lands before the first blob: a first copy that fails midway (here: a layer
    /// missing from the source) leaves a layout that the rerun adds to.
    @Test func firstCopyThatFailsLeavesARerunnableLayout() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await source(dir, seed: 1202)
            let layer = try #require(summary["1.0"]?.images.first?.layerDigests.last)
            let saved = try Data(contentsOf: URL(fileURLWithPath: dir + "/src/blobs/sha256/" + layer.encoded))
            try LayoutSurgery(dir + "/src").remove(layer)
            await #expect(throws: (any Error).self) { _ = try await copy(dir, tag: "1.0", to: try OCILayoutDestination(path: dir + "/dst", durable: false)) }
            #expect(FileManager.default.fileExists(atPath: dir + "/dst/oci-layout"))
            #expect(!FileManager.default.fileExists(atPath: dir + "/dst/index.json"))

            try saved.write(to: URL(fileURLWithPath: dir + "/src/blobs/sha256/" + layer.encoded))
            let report = try await copy(dir, tag: "1.0", to: try OCILayoutDestination(path: dir + "/dst"))
            #expect(report.entries.map(\.descriptor.digest) == [summary["1.0"]?.digest])
            let verification = await verify("oci:\(dir)/dst")
            #expect(verification.status == .valid, "\(verification.problems)")
        }
    }

    /// Opening a layout removes temporary files nobody holds, and keeps one that a running
    /// writer holds (a copy at the same time), which can still land.
    @Test func staleTemporaryFilesGoButARunningWritersStay() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await source(dir, seed: 1203)
            _ = try await copy(dir, tag: "1.0", to: try OCILayoutDestination(path: dir + "/dst"))
            let stale = [dir + "/dst/blobs/..incoming.tmp-q1w2e3", dir + "/dst/.index.json.tmp-r4t5y6"]
            for path in stale { leaveStaleFile(path) }
            let running = try AtomicFileWriter(path: dir + "/dst/blobs/.incoming", durable: false)
            try running.write(Array("still being written".utf8))

            _ = try OCILayoutDestination(path: dir + "/dst")
            for path in stale { #expect(!FileManager.default.fileExists(atPath: path), "\(path)") }
            #expect(FileManager.default.fileExists(atPath: running.temporaryPath))
            try running.commit(renamingTo: dir + "/dst/landed")
            #expect(FileManager.default.contents(atPath: dir + "/dst/landed") == Data("still being written".utf8))
        }
    }

    /// Next to an archive: working directories and partial archives of killed runs go, those of
    /// a running copy stay.
    @Test func staleArchiveWorkFilesGoButARunningCopysStay() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await source(dir, seed: 1204)
            let staleDirectory = dir + "/out.tar.ferry-AbCdEf"
            try FileManager.default.createDirectory(atPath: staleDirectory + "/blobs/sha256", withIntermediateDirectories: true)
            leaveStaleFile(staleDirectory + "/blobs/sha256/partial")
            leaveStaleFile(dir + "/out.tar.tmp-GhIjKl")
            leaveStaleFile(dir + "/.out.tar.tmp-MnOpQr")
            try FileManager.default.moveItem(atPath: staleDirectory, toPath: dir + "/.out.tar.ferry-AbCdEf")
            let running = try WorkDirectory(nextTo: dir + "/out.tar")
            let runningArchive = try AtomicFileWriter(path: dir + "/out.tar", durable: false)

            _ = try await copy(dir, tag: "1.0", to: try OCIArchiveDestination(path: dir + "/out.tar", durable: false))
            #expect(!FileManager.default.fileExists(atPath: dir + "/.out.tar.ferry-AbCdEf"))
            #expect(!FileManager.default.fileExists(atPath: dir + "/.out.tar.tmp-MnOpQr"))
            #expect(FileManager.default.fileExists(atPath: dir + "/out.tar.tmp-GhIjKl"), "not Ferry's name: kept")
            #expect(FileManager.default.fileExists(atPath: running.path))
            #expect(FileManager.default.fileExists(atPath: runningArchive.temporaryPath))
            let verification = await verify("oci-archive:\(dir)/out.tar")
            #expect(verification.status == .valid, "\(verification.problems)")
        }
    }

    /// Several copies into one layout at once, each opened before any commits: every name
    /// survives (each commit re-reads `index.json` under the layout's lock).
    @Test func concurrentCopiesIntoOneLayoutKeepEveryName() async throws {
        try await withTemporaryDirectory { dir in
            let tags = (0..<8).map { "t\($0)" }
            let summary = try await source(dir, seed: 1205, tags: tags)
            _ = try await copy(dir, tag: "t0", to: try OCILayoutDestination(path: dir + "/dst"))
            let destinations = try tags.map { _ in try OCILayoutDestination(path: dir + "/dst", durable: false) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (tag, destination) in zip(tags, destinations) {
                    group.addTask { _ = try await copy(dir, tag: tag, to: destination) }
                }
                try await group.waitForAll()
            }
            let entries = try await OCILayoutSource(path: dir + "/dst").entries()
            #expect(Set(entries.flatMap(\.names)) == Set(tags))
            for entry in entries {
                #expect(entry.descriptor.digest == summary[entry.names[0]]?.digest)
            }
        }
    }

    /// A blob one copy landed and then does not need stays when another writer may rely on it:
    /// one that has seen it and not committed yet, or an image `index.json` names; alone and
    /// unreferenced, it goes.
    @Test func aDiscardedBlobStaysWhileAnotherWriterReliesOnIt() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await source(dir, seed: 1207, tags: ["a", "b"])
            let image = try #require(summary["a"]?.images.first)
            let layers = zip(image.layerDigests, image.layerSizes).map { Descriptor(mediaType: .ociLayerGzip, digest: $0, size: Int64($1)) }
            let other = try #require(summary["b"]?.images.first)
            let unused = Descriptor(mediaType: .ociLayerGzip, digest: other.layerDigests[0], size: Int64(other.layerSizes[0]))
            func land(_ d: Descriptor, in destination: OCILayoutDestination) async throws {
                _ = try await destination.putBlob(
                    try VerifyingStream(try FileByteStream(path: dir + "/src/blobs/sha256/" + d.digest.encoded), expected: d, context: "test"))
            }
            let path: (Descriptor) -> String = { dir + "/dst/blobs/sha256/" + $0.digest.encoded }

            // The writers live in this block: their tokens go with them.
            do {
                // Seen by a writer that has not committed.
                let a = try OCILayoutDestination(path: dir + "/dst", durable: false)
                try await land(layers[0], in: a)
                let b = try OCILayoutDestination(path: dir + "/dst", durable: false)
                #expect(try await b.hasBlob(layers[0]))
                try await a.discardBlob(layers[0].digest)
                #expect(FileManager.default.fileExists(atPath: path(layers[0])))

                // Named by index.json once that writer committed.
                try await land(layers[1], in: a)
                _ = try await CopyOperation(source: try OCILayoutSource(path: dir + "/src"), destination: b, selector: .name("a")).run()
                try await a.discardBlob(layers[1].digest)
                #expect(FileManager.default.fileExists(atPath: path(layers[1])))

                // Alone and unreferenced: removed.
                try await land(unused, in: a)
                try await a.discardBlob(unused.digest)
                #expect(!FileManager.default.fileExists(atPath: path(unused)))
            }
            let verification = await verify("oci:\(dir)/dst")
            #expect(verification.status == .valid, "\(verification.problems)")
        }
    }
}
