import FerrySpec
import FerryStreams
import Testing

/// The per-chunk compressors behind the parallel gzip stage, ISA-L above all: fixed bytes whatever
/// the chunking or worker count, readable by GNU gzip, and the documented level table.
@Suite struct GzipChunkCompressorTests {
    private func compress(_ input: [UInt8], with compressor: GzipChunkCompressor, inputChunk: Int, workers: Int) async throws -> [UInt8] {
        let stage = ParallelCompressStream(MemoryByteStream(input, chunkSize: inputChunk), compressor: compressor, chunkSize: 64 * 1024, workers: workers)
        return try await collect(stage).bytes
    }

    /// Determinism: the same bytes for input in 1-byte or 1 MiB pieces, on 1 or 4 workers.
    @Test(arguments: [1, 2, 3])
    func isalBytesDoNotDependOnChunkingOrWorkers(level: Int) async throws {
        let compressor = try GzipChunkCompressor(.isal, level: level)
        let input = sampleData(count: 300_000, seed: 17)
        let reference = try await compress(input, with: compressor, inputChunk: 1 << 20, workers: 1)
        #expect(try await compress(input, with: compressor, inputChunk: 1, workers: 4) == reference)
        #expect(try await compress(input, with: compressor, inputChunk: 1 << 20, workers: 4) == reference)
        #expect(try await compress(input, with: compressor, inputChunk: 1, workers: 1) == reference)
        #expect(try await gunzip(reference) == input)
    }

    @Test func isalMemberHeaderIsFixed() throws {
        let member = try GzipChunkCompressor(.isal, level: 1).member(sampleData(count: 10_000))
        // Deflate, no flags, MTIME 0, XFL 0, OS 255.
        #expect(Array(member.prefix(10)) == [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xFF])
        let empty = try GzipChunkCompressor(.isal, level: 3).member([])
        #expect(Array(empty.prefix(10)) == [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xFF])
        #expect(Array(empty.suffix(8)) == [0, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func incompressibleChunkFitsItsBound() async throws {
        var state: UInt64 = 0x1234_5678
        let noise = (0..<(1 << 20)).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        for level in 1...3 {
            let member = try GzipChunkCompressor(.isal, level: level).member(noise)
            #expect(try await gunzip(member) == noise)
        }
    }

    @Test(.enabled(if: tool("gzip") != nil, "gzip not installed"), arguments: [1, 2, 3])
    func gnuGzipReadsIsalOutput(level: Int) async throws {
        let input = sampleData(count: 400_000, seed: 23)
        let gz = try await compress(input, with: try GzipChunkCompressor(.isal, level: level), inputChunk: 50_000, workers: 2)
        let directory = try TemporaryDirectory()
        let path = try directory.write("x.gz", gz)
        #expect(try run("gzip", ["-dc", path]) == input)
        #expect(try run("gzip", ["-t", path]).isEmpty)
    }

    // The level table of GzipChunkCompressor+Levels.swift, as docs/performance.md documents it.
    @Test(arguments: [
        (1, "isal:2"), (2, "libdeflate:1"), (3, "libdeflate:2"), (4, "libdeflate:4"), (5, "libdeflate:5"),
        (6, "libdeflate:6"), (7, "libdeflate:7"), (8, "libdeflate:8"), (9, "libdeflate:9"),
    ])
    func gzipLevelsMapToMeasuredLibraries(level: Int, expected: String) throws {
        #expect(try GzipChunkCompressor(gzipLevel: level).description == expected)
    }

    @Test func defaultLevelIsInTheTable() throws {
        #expect(try GzipChunkCompressor(gzipLevel: GzipChunkCompressor.defaultGzipLevel).description == "libdeflate:2")
    }

    // Levels neither Ferry nor the libraries have.
    @Test(arguments: [(nil, 0), (nil, 10), (GzipChunkCompressor.Library.isal, 0), (.isal, 4), (.libdeflate, 0), (.libdeflate, 13)])
    func levelsOutOfRangeAreRefused(library: GzipChunkCompressor.Library?, level: Int) {
        #expect {
            if let library { _ = try GzipChunkCompressor(library, level: level) } else { _ = try GzipChunkCompressor(gzipLevel: level) }
        } throws: { ($0 as? StreamError)?.code == .unsupported }
    }
}
