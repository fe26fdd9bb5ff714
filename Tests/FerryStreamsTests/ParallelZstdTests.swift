import FerrySpec
import FerryStreams
import Foundation
import Testing

/// zstd on every core: independent frames per chunk, identical bytes for any worker count or input
/// chunking, readable as one stream by Ferry and by the `zstd` tool.
@Suite struct ParallelZstdTests {
    private func compress(_ input: [UInt8], inputChunk: Int, workers: Int) async throws -> [UInt8] {
        try await collect(
            ParallelCompressStream(
                MemoryByteStream(input, chunkSize: inputChunk), compressor: try ZstdChunkCompressor(level: 3),
                chunkSize: 256 * 1024, workers: workers)
        ).bytes
    }

    /// Determinism: 1, 2 and 8 workers, big and tiny input chunks, the same bytes.
    @Test(arguments: [(1_000_000, 1), (4_096, 2), (77, 8)])
    func bytesDoNotDependOnWorkersOrChunking(_ inputChunk: Int, _ workers: Int) async throws {
        let input = sampleData(count: 900_000, seed: 3)
        let reference = try await compress(input, inputChunk: 65_536, workers: 1)
        #expect(try await compress(input, inputChunk: inputChunk, workers: workers) == reference)
    }

    @Test func severalFramesReadBackAsOneStream() async throws {
        let input = sampleData(count: 1_000_000, seed: 4)
        let z = try await compress(input, inputChunk: 100_000, workers: 2)
        #expect(try await collect(try ZstdDecompressStream(MemoryByteStream(z), context: "test")).bytes == input)
        if tool("zstd") != nil {
            let dir = try TemporaryDirectory()
            #expect(try run("zstd", ["-dc", try dir.write("x.zst", z)]) == input)
        }
    }
}
