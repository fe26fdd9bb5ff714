import Foundation
import FerryStreams
import Testing

/// ``PartialFile``: whatever the file held, the committed file is exactly the bytes that passed;
/// one writer at a time; a file longer than the blob can be is emptied.
struct PartialFileTests {
    static let blob = (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }

    /// What an earlier run left, and what the committed file must then hold (always the blob).
    static let kept: [(String, [UInt8])] = [
        ("nothing", []),
        ("a true prefix", Array(blob.prefix(1234))),
        ("all but one byte", Array(blob.dropLast())),
        ("a prefix with a wrong byte", Array(blob.prefix(1000)) + [blob[1000] ^ 1] + Array(blob[1001..<2000])),
        ("other bytes entirely", [UInt8](repeating: 9, count: 500)),
        ("more than the blob", blob + [1, 2, 3]),
    ]

    @Test(arguments: kept.indices, [1, 7, 1000, 4096])
    func committedFileIsTheBlob(_ row: Int, chunkSize: Int) throws {
        let directory = NSTemporaryDirectory() + "partial-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/.blob.partial"
        try Data(Self.kept[row].1).write(to: URL(fileURLWithPath: path))
        let largest = Int64(Self.blob.count)
        let partial = try #require(try PartialFile.claim(path: path, largest: largest, durable: false))
        let left = Int64(Self.kept[row].1.count)
        #expect(partial.keptLength == (left > largest ? 0 : left))
        var offset = 0
        while offset < Self.blob.count {
            let end = min(offset + chunkSize, Self.blob.count)
            try partial.take(Array(Self.blob[offset..<end]))
            offset = end
        }
        try partial.commit(renamingTo: directory + "/blob")
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: directory + "/blob"))) == Self.blob, "\(Self.kept[row].0)")
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func oneWriterAtATimeAndWhatArrivedStays() throws {
        let directory = NSTemporaryDirectory() + "partial-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/.blob.partial"
        do {
            let first = try #require(try PartialFile.claim(path: path, largest: 3000, durable: false))
            #expect(try PartialFile.claim(path: path, largest: 3000, durable: false) == nil)
            try first.take(Array(Self.blob.prefix(700)))
            // Dropped without commit, as when a copy fails: the bytes stay for the next run.
        }
        let second = try #require(try PartialFile.claim(path: path, largest: 3000, durable: false))
        #expect(second.keptLength == 700)
        second.discard()
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
