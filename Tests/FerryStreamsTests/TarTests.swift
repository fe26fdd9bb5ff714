import Foundation
import FerryStreams
import Testing

/// A member name of exactly 150 characters: longer than the 100-byte ustar name field.
let longName = "long/" + String(repeating: "d", count: 60) + "/" + String(repeating: "n", count: 150 - 66)

struct Member: Sendable {
    let name: String
    let bytes: [UInt8]
}

let sampleMembers: [Member] = [
    Member(name: "manifest.json", bytes: Array("[{\"Config\":\"config.json\"}]".utf8)),
    Member(name: "empty", bytes: []),
    Member(name: "blobs/sha256/one", bytes: sampleData(count: 512, seed: 1)),
    Member(name: longName, bytes: sampleData(count: 70_001, seed: 2)),
    Member(name: "blobs/sha256/big", bytes: sampleData(count: 2_500_000, seed: 3)),
    Member(name: "last", bytes: sampleData(count: 1, seed: 4)),
]

/// Writes `sampleMembers` (plus a directory and a symlink) with TarWriter.
func writeSampleTar(_ path: String) async throws {
    let writer = try TarWriter(path: path)
    try writer.addDirectory("blobs/sha256")
    for member in sampleMembers {
        if member.bytes.count > 100_000 {
            try await writer.addFile(member.name, size: Int64(member.bytes.count), from: MemoryByteStream(member.bytes, chunkSize: 65_536))
        } else {
            try writer.addFile(member.name, bytes: member.bytes)
        }
    }
    try writer.addSymlink("link", target: "blobs/sha256/one")
    try writer.finish()
}

@Suite("TarWriter and TarReader")
struct TarRoundTripTests {
    @Test func writerOutputReadsBack() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("out.tar")
        try await writeSampleTar(path)
        let reader = try TarReader(path: path)
        var seen: [String: [UInt8]] = [:]
        var entries: [TarEntry] = []
        while let entry = try reader.nextEntry() {
            entries.append(entry)
            seen[entry.name] = try await collect(reader.entryData()).bytes
        }
        for member in sampleMembers {
            #expect(seen[member.name] == member.bytes, "member \(member.name)")
        }
        let directoryEntry = try #require(entries.first)
        #expect(directoryEntry.kind == .directory)
        #expect(directoryEntry.mode == 0o755)
        #expect(try TarPath.normalize(directoryEntry.name) == "blobs/sha256")
        #expect(entries.first { $0.name == "manifest.json" }?.mode == 0o644)
        let link = try #require(entries.last)
        #expect(link.kind == .symlink)
        #expect(link.linkTarget == "blobs/sha256/one")
    }

    @Test func writerIsDeterministic() async throws {
        let directory = try TemporaryDirectory()
        try await writeSampleTar(directory.path("a.tar"))
        try await writeSampleTar(directory.path("b.tar"))
        let a = try directory.read("a.tar")
        #expect(a == (try directory.read("b.tar")))
        // Two zero blocks end the archive; no padding to a 10 KiB record.
        #expect(a.count % 512 == 0)
        #expect(a.suffix(1024).allSatisfy { $0 == 0 })
    }

    @Test func shortStreamPoisonsTheWriter() async throws {
        let directory = try TemporaryDirectory()
        let writer = try TarWriter(path: directory.path("short.tar"))
        let error = await streamError { try await writer.addFile("f", size: 100, from: MemoryByteStream(sampleData(count: 99))) }
        #expect(error?.code == .sizeMismatch)
        #expect(error?.message.contains("99 of the declared 100") == true)
        #expect { try writer.finish() } throws: { ($0 as? StreamError)?.code == .sizeMismatch }
        #expect { try writer.addFile("g", bytes: [1]) } throws: { ($0 as? StreamError)?.code == .sizeMismatch }
    }

    @Test func longStreamPoisonsTheWriter() async throws {
        let directory = try TemporaryDirectory()
        let writer = try TarWriter(path: directory.path("long.tar"))
        let error = await streamError { try await writer.addFile("f", size: 100, from: MemoryByteStream(sampleData(count: 101), chunkSize: 50)) }
        #expect(error?.code == .sizeMismatch)
        #expect { try writer.finish() } throws: { ($0 as? StreamError)?.code == .sizeMismatch }
    }

    @Test func writerRefusesUnsafeNames() throws {
        let directory = try TemporaryDirectory()
        let writer = try TarWriter(path: directory.path("unsafe.tar"))
        #expect { try writer.addFile("../escape", bytes: [1]) } throws: { ($0 as? StreamError)?.code == .unsafePath }
        // A refused name writes nothing, so the archive is still good.
        try writer.addFile("./fine", bytes: [1])
        try writer.finish()
        let reader = try TarReader(path: directory.path("unsafe.tar"))
        #expect(try reader.nextEntry()?.name == "fine")
        #expect(try reader.nextEntry() == nil)
    }

    @Test(.enabled(if: tool("tar") != nil, "needs the tar tool"))
    func systemTarReadsWriterOutput() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("out.tar")
        try await writeSampleTar(path)
        let listing = String(decoding: try run("tar", ["-tvf", path]), as: UTF8.self)
        for member in sampleMembers { #expect(listing.contains(member.name)) }
        #expect(listing.contains("link -> blobs/sha256/one"))
        #expect(listing.contains("-rw-r--r-- 0/0"))
        #expect(listing.contains("drwxr-xr-x 0/0"))
        #expect(listing.contains("1970-01-01"))
        for member in sampleMembers {
            #expect(try run("tar", ["-xOf", path, member.name]) == member.bytes, "member \(member.name)")
        }
    }

    @Test(arguments: [CompressionFormat.gzip, .zstd])
    func readerDecompressesTransparently(format: CompressionFormat) async throws {
        let directory = try TemporaryDirectory()
        try await writeSampleTar(directory.path("plain.tar"))
        let packed = try await collect(compressed(FileByteStream(path: directory.path("plain.tar")), format: format)).bytes
        let path = try directory.write("packed.tar.\(format.rawValue)", packed)
        let reader = try TarReader(path: path)
        var names: [String] = []
        while let entry = try reader.nextEntry() {
            names.append(entry.name)
            if let member = sampleMembers.first(where: { $0.name == entry.name }) {
                var bytes: [UInt8] = []
                while let chunk = try reader.readChunk(max: 100_000) { bytes += chunk }
                #expect(bytes == member.bytes)
            }
        }
        #expect(names.count == sampleMembers.count + 2)
    }

    @Test func truncatedTarIsCorruptAndNamesPathAndMember() async throws {
        let directory = try TemporaryDirectory()
        try await writeSampleTar(directory.path("full.tar"))
        let full = try directory.read("full.tar")
        // Cut inside the data of the 2.5 MB member.
        let path = try directory.write("cut.tar", Array(full.prefix(1_500_000)))
        let reader = try TarReader(path: path)
        let error = await streamError {
            while try reader.nextEntry() != nil { _ = try await collect(reader.entryData()) }
        }
        #expect(error?.code == .corruptData)
        #expect(error?.message.contains(path) == true)
        #expect(error?.message.contains("blobs/sha256/big") == true)
        #expect(error?.message.lowercased().contains("truncated") == true)
        // The reader stays failed.
        #expect(throws: StreamError.self) { try reader.nextEntry() }
    }

    /// gzip is inflated by ISA-L, not libarchive: its errors must still name the file and say what
    /// is wrong, and the reader must stay failed.
    @Test(arguments: ["truncated", "flipped"])
    func brokenGzipTarIsCorruptAndNamesPath(damage: String) async throws {
        let directory = try TemporaryDirectory()
        try await writeSampleTar(directory.path("plain.tar"))
        var packed = try await collect(compressed(FileByteStream(path: directory.path("plain.tar")), format: .gzip)).bytes
        if damage == "truncated" {
            packed = Array(packed.prefix(packed.count / 2))
        } else {
            packed[packed.count / 2] ^= 0xFF
        }
        let path = try directory.write("\(damage).tar.gz", packed)
        let error = await streamError {
            let reader = try TarReader(path: path)
            while try reader.nextEntry() != nil { _ = try await collect(reader.entryData()) }
        }
        #expect(error?.code == .corruptData)
        #expect(error?.message.contains(path) == true)
        let expected = damage == "truncated" ? "truncated" : "gzip"
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "no error")")
    }

    @Test func nonTarFileIsCorruptAndNamesPath() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("not.tar", sampleData(count: 5_000))
        // libarchive recognises the format while opening, so either step may report it.
        #expect {
            let reader = try TarReader(path: path)
            _ = try reader.nextEntry()
        } throws: { error in
            guard let error = error as? StreamError else { return false }
            return error.code == .corruptData && error.message.contains(path)
        }
    }

    @Test func missingFileIsNotFound() {
        #expect { _ = try TarReader(path: "/nonexistent-ferry/none.tar") } throws: { ($0 as? StreamError)?.code == .notFound }
    }

    @Test func staleEntryStreamIsRefused() async throws {
        let directory = try TemporaryDirectory()
        try await writeSampleTar(directory.path("out.tar"))
        let reader = try TarReader(path: directory.path("out.tar"))
        _ = try reader.nextEntry()
        _ = try reader.nextEntry()
        let stale = reader.entryData()
        _ = try reader.nextEntry()
        #expect(await streamErrorCode { _ = try await stale.next() } == .io)
    }
}

@Suite("TarIndex")
struct TarIndexTests {
    /// Checks every regular member's in-place bytes against `tar -xOf`.
    func checkOffsetsAgainstSystemTar(_ path: String) async throws -> Int {
        let index = try TarIndex(path: path)
        var checked = 0
        for member in index.members where member.kind == .regular {
            let inPlace = try await collect(index.data(of: member)).bytes
            #expect(inPlace == (try run("tar", ["-xOf", path, member.name])), "member \(member.name)")
            checked += 1
        }
        return checked
    }

    func makeTree(_ directory: TemporaryDirectory) throws {
        for member in sampleMembers { try directory.write("tree/\(member.name)", member.bytes) }
    }

    // GNU long-name headers (././@LongLink), pax extended headers, and ustar prefix splitting.
    @Test(.enabled(if: tool("tar") != nil, "needs the tar tool"), arguments: ["gnu", "posix", "ustar"])
    func offsetsMatchGnuTar(format: String) async throws {
        let directory = try TemporaryDirectory()
        try makeTree(directory)
        let path = directory.path("gnu-\(format).tar")
        try run("tar", ["--format=\(format)", "-cf", path] + sampleMembers.map(\.name), in: directory.path("tree"))
        #expect(try await checkOffsetsAgainstSystemTar(path) == sampleMembers.count)
        let long = try #require(try TarIndex(path: path)[longName])
        #expect(long.size == 70_001)
    }

    @Test(.enabled(if: tool("tar") != nil && tool("python3") != nil, "needs tar and python3"), arguments: ["PAX_FORMAT", "GNU_FORMAT"])
    func offsetsMatchPythonTarfile(format: String) async throws {
        let directory = try TemporaryDirectory()
        try makeTree(directory)
        let path = directory.path("python.tar")
        let script = "import sys, tarfile\nwith tarfile.open(sys.argv[1], 'w', format=tarfile.\(format)) as t:\n    for n in sys.argv[2:]: t.add(n)\n"
        try run("python3", ["-c", script, path] + sampleMembers.map(\.name), in: directory.path("tree"))
        #expect(try await checkOffsetsAgainstSystemTar(path) == sampleMembers.count)
    }

    @Test(.enabled(if: tool("tar") != nil, "needs the tar tool"))
    func offsetsMatchForWriterOutput() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("ours.tar")
        try await writeSampleTar(path)
        #expect(try await checkOffsetsAgainstSystemTar(path) == sampleMembers.count)
        let index = try TarIndex(path: path)
        #expect(try index.regularFile(named: "./link").name == "blobs/sha256/one")
        #expect(index["blobs//sha256/big"]?.size == 2_500_000)
    }

    @Test func compressedFileIsRefused() async throws {
        let directory = try TemporaryDirectory()
        try await writeSampleTar(directory.path("plain.tar"))
        let packed = try await collect(compressed(FileByteStream(path: directory.path("plain.tar")), format: .gzip)).bytes
        let path = try directory.write("packed.tar.gz", packed)
        #expect { _ = try TarIndex(path: path) } throws: { error in
            guard let error = error as? StreamError else { return false }
            return error.code == .unsupported && error.message.contains("gzip") && error.message.contains("TarReader")
        }
    }
}

/// `docker save` archives collected from other tools, when `FERRY_DOCKER_ARCHIVES` names a
/// directory of them (not part of the repository).
let dockerArchiveDirectory = ProcessInfo.processInfo.environment["FERRY_DOCKER_ARCHIVES"]

@Suite("TarIndex on collected archives", .enabled(if: dockerArchiveDirectory != nil && tool("tar") != nil, "set FERRY_DOCKER_ARCHIVES"))
struct CollectedArchiveTests {
    @Test func offsetsMatchSystemTar() async throws {
        let directory = try #require(dockerArchiveDirectory)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".tar") }.sorted()
        #expect(!names.isEmpty)
        for name in names {
            let checked = try await TarIndexTests().checkOffsetsAgainstSystemTar("\(directory)/\(name)")
            #expect(checked > 0, "\(name)")
        }
    }

    @Test func compressedArchivesStream() async throws {
        let directory = try #require(dockerArchiveDirectory)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".xz") || $0.hasSuffix(".gz") }
        for name in names {
            let reader = try TarReader(path: "\(directory)/\(name)")
            var count = 0
            while let entry = try reader.nextEntry() {
                let bytes = try await reader.entryData().drain()
                #expect(bytes == entry.size, "\(name): \(entry.name)")
                count += 1
            }
            #expect(count > 0, "\(name)")
        }
    }
}
