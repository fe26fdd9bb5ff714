import Foundation
import FerryStreams
import Testing

/// `TarWriter.addFile(_:size:copyingFile:)`: the kernel copies the data, and the archive is the
/// same, byte for byte, as the one the streaming path writes.
@Suite("TarWriter copying files in the kernel")
struct TarFileCopyTests {
    /// Writes `sampleMembers` into `path` through a file descriptor, each member's data either
    /// copied from a file or streamed.
    private func write(_ path: String, files directory: TemporaryDirectory, copying: Bool) async throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(fd >= 0)
        defer { close(fd) }
        let writer = try TarWriter(fileDescriptor: fd)
        for (i, member) in sampleMembers.enumerated() {
            let file = directory.path("member-\(i)")
            try Data(member.bytes).write(to: URL(fileURLWithPath: file))
            if copying {
                try await writer.addFile(member.name, size: Int64(member.bytes.count), copyingFile: file)
            } else {
                try await writer.addFile(member.name, size: Int64(member.bytes.count), from: MemoryByteStream(member.bytes, chunkSize: 65_536))
            }
        }
        try writer.addSymlink("link", target: "blobs/sha256/one")
        try writer.finish()
    }

    @Test func copiedDataGivesTheSameArchive() async throws {
        let directory = try TemporaryDirectory()
        try await write(directory.path("copied.tar"), files: directory, copying: true)
        try await write(directory.path("streamed.tar"), files: directory, copying: false)
        let copied = try directory.read("copied.tar")
        #expect(copied == (try directory.read("streamed.tar")))
        // And it reads back: every member with its bytes.
        let reader = try TarReader(path: directory.path("copied.tar"))
        var seen: [String: [UInt8]] = [:]
        while let entry = try reader.nextEntry() {
            guard entry.kind == .regular else { continue }
            var bytes: [UInt8] = []
            while let chunk = try reader.readChunk() { bytes += chunk }
            seen[entry.name] = bytes
        }
        for member in sampleMembers { #expect(seen[member.name] == member.bytes, "\(member.name)") }
    }

    @Test func aFileShorterThanDeclaredPoisonsTheWriter() async throws {
        let directory = try TemporaryDirectory()
        let file = directory.path("short")
        try Data(sampleData(count: 99)).write(to: URL(fileURLWithPath: file))
        let fd = open(directory.path("out.tar"), O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        defer { close(fd) }
        let writer = try TarWriter(fileDescriptor: fd)
        let error = await streamError { try await writer.addFile("f", size: 100, copyingFile: file) }
        #expect(error?.code == .sizeMismatch)
        #expect(error?.message.contains("99 of the declared 100") == true)
        #expect { try writer.finish() } throws: { ($0 as? StreamError)?.code == .sizeMismatch }
    }

    @Test func aWriterToAPathStreamsInstead() async throws {
        let directory = try TemporaryDirectory()
        let file = directory.path("data")
        try Data(sampleData(count: 5000, seed: 9)).write(to: URL(fileURLWithPath: file))
        let writer = try TarWriter(path: directory.path("out.tar"))
        try await writer.addFile("data", size: 5000, copyingFile: file)
        try writer.finish()
        let reader = try TarReader(path: directory.path("out.tar"))
        #expect(try reader.nextEntry()?.size == 5000)
    }
}
