import FerrySpec
import FerryStreams
import Foundation
import Testing

/// The parallel gzip stage (libdeflate at level 6 here): readable by every gzip reader, identical bytes whatever the
/// input chunking or the number of workers.
@Suite struct ParallelGzipTests {
    private func compress(_ input: [UInt8], inputChunk: Int, workers: Int, level: Int = 6, chunkSize: Int = 256 * 1024) async throws -> [UInt8] {
        try await collect(ParallelCompressStream(MemoryByteStream(input, chunkSize: inputChunk), level: level, chunkSize: chunkSize, workers: workers)).bytes
    }

    @Test func roundTripsThroughFerrysOwnReader() async throws {
        let input = sampleData(count: 1_500_000)
        let gz = try await compress(input, inputChunk: 100_000, workers: 2)
        let back = try await collect(try IsalGzipDecompressStream(MemoryByteStream(gz), context: "test")).bytes
        #expect(back == input)
        #expect(gz.count < input.count)
    }

    /// Determinism: chunk boundaries depend only on the chunk size, never on arrival or workers.
    @Test(arguments: [(1_000, 1), (1 << 20, 1), (7, 4), (300_000, 8)])
    func bytesDoNotDependOnChunkingOrWorkers(_ inputChunk: Int, _ workers: Int) async throws {
        let input = sampleData(count: 700_000, seed: 5)
        let reference = try await compress(input, inputChunk: 65_536, workers: 2)
        #expect(try await compress(input, inputChunk: inputChunk, workers: workers) == reference)
    }

    @Test func emptyInputIsAValidEmptyGzipStream() async throws {
        let gz = try await compress([], inputChunk: 10, workers: 2)
        #expect(gz.prefix(3) == [0x1f, 0x8b, 0x08])
        #expect(try await collect(try IsalGzipDecompressStream(MemoryByteStream(gz), context: "test")).bytes.isEmpty)
    }

    @Test func headerIsFixedAndMembersAreConcatenated() async throws {
        let gz = try await compress(sampleData(count: 600_000), inputChunk: 4096, workers: 2)
        // MTIME 0 and OS 255 in the first member's header.
        #expect(Array(gz[4..<8]) == [0, 0, 0, 0])
        #expect(gz[9] == 0xff)
        // 600 000 bytes in 256 KiB chunks: three members.
        var members = 0
        for i in 0..<(gz.count - 3) where gz[i] == 0x1f && gz[i + 1] == 0x8b && gz[i + 2] == 0x08 && gz[i + 3] == 0 && gz[i + 9] == 0xff { members += 1 }
        #expect(members >= 3)
    }

    @Test(.enabled(if: tool("gzip") != nil, "gzip not installed"))
    func gnuGzipReadsItWhole() async throws {
        let input = sampleData(count: 900_000, seed: 9)
        let gz = try await compress(input, inputChunk: 50_000, workers: 2)
        let dir = try TemporaryDirectory()
        let path = try dir.write("x.gz", gz)
        #expect(try run("gzip", ["-dc", path]) == input)
    }
}
