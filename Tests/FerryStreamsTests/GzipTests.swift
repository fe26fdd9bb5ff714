import FerrySpec
import FerryStreams
import Testing

func gzip(_ bytes: [UInt8], level: Int = 6, chunkSize: Int = 1 << 20) async throws -> [UInt8] {
    try await collect(GzipCompressStream(MemoryByteStream(bytes, chunkSize: chunkSize), level: level)).bytes
}

func gunzip(_ bytes: [UInt8], chunkSize: Int = 1 << 20, context: String = "test.gz") async throws -> [UInt8] {
    try await collect(GzipDecompressStream(MemoryByteStream(bytes, chunkSize: chunkSize), context: context)).bytes
}

@Suite("gzip")
struct GzipTests {
    // Input chunk sizes from one byte (every zlib call starved) to larger than the output chunk.
    @Test(arguments: [(1, 150_000), (4_096, 3_000_000), (1 << 20, 3_000_000), (3 << 20, 3_000_000)])
    func roundTripAcrossChunkSizes(chunkSize: Int, length: Int) async throws {
        let data = sampleData(count: length)
        let compressed = try await gzip(data, chunkSize: chunkSize)
        let result = try await collect(GzipDecompressStream(MemoryByteStream(compressed, chunkSize: chunkSize), context: "round trip"))
        #expect(result.bytes == data)
        // Full ~1 MiB chunks except the last; never an empty one.
        #expect(result.chunks.dropLast().allSatisfy { $0 == 1 << 20 })
        #expect(result.chunks.allSatisfy { $0 > 0 })
    }

    @Test func emptyInputRoundTrips() async throws {
        let compressed = try await gzip([])
        #expect(compressed.count == 20)
        #expect(try await gunzip(compressed).isEmpty)
    }

    @Test func multiMemberStreamIsConcatenated() async throws {
        let first = sampleData(count: 300_000, seed: 1)
        let second = sampleData(count: 200_000, seed: 2)
        let joined = try await gzip(first) + (try await gzip(second, level: 1))
        #expect(try await gunzip(joined) == first + second)
        #expect(try await gunzip(joined, chunkSize: 1_000) == first + second)
    }

    @Test func zeroPaddingAfterLastMemberIsTolerated() async throws {
        let data = sampleData(count: 50_000)
        let padded = try await gzip(data) + [UInt8](repeating: 0, count: 1_000)
        #expect(try await gunzip(padded, chunkSize: 333) == data)
    }

    @Test func trailingGarbageIsCorrupt() async throws {
        let garbage = try await gzip(sampleData(count: 1_000)) + Array("garbage".utf8)
        #expect(await streamErrorCode { _ = try await gunzip(garbage) } == .corruptData)
    }

    // Cut inside the deflate data, inside the trailer, and right after the header.
    @Test(arguments: [100, 4, 1])
    func truncatedInputIsCorruptAndNamesContext(dropping: Int) async throws {
        let compressed = try await gzip(sampleData(count: 200_000))
        let cut = dropping == 1 ? Array(compressed.prefix(10)) : Array(compressed.dropLast(dropping))
        let error = await streamError { _ = try await gunzip(cut, context: "layer sha256:abc in app.tar") }
        #expect(error?.code == .corruptData)
        #expect(error?.message.contains("layer sha256:abc in app.tar") == true)
        #expect(error?.message.contains("truncated") == true)
    }

    @Test func corruptDataCarriesZlibMessage() async throws {
        var compressed = try await gzip(sampleData(count: 200_000))
        compressed[3] = 0xE0  // reserved flag bits set
        let error = await streamError { _ = try await gunzip(compressed, context: "bad.gz") }
        #expect(error?.code == .corruptData)
        #expect(error?.message.contains("bad.gz") == true)
        #expect(error?.message.contains("header flags") == true)
    }

    @Test func emptyInputIsNotGzip() async throws {
        #expect(await streamErrorCode { _ = try await gunzip([]) } == .corruptData)
    }

    @Test func outputIsDeterministic() async throws {
        let data = sampleData(count: 1_000_000, seed: 42)
        let one = try await gzip(data, chunkSize: 1 << 20)
        let other = try await gzip(data, chunkSize: 7_001)
        #expect(one == other)
        // MTIME 0, XFL 0 (level 6), OS 255.
        #expect(Array(one.prefix(10)) == [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xFF])
        // Pinned with zlib 1.2.13; a different zlib may legitimately compress differently.
        let digest = try DigestHasher.digest(one).description
        #expect(digest == "sha256:c0428f2f6b2f3ae8ef2ed112e76f40390eea160edbf50846e9ab3f0a8a28b6ff")
    }

    @Test func levelOutOfRangeIsRefused() {
        #expect { _ = try GzipCompressStream(MemoryByteStream([]), level: 10) } throws: { ($0 as? StreamError)?.code == .unsupported }
    }

    @Test(.enabled(if: tool("gzip") != nil, "needs the gzip tool"))
    func interoperatesWithSystemGzip() async throws {
        let directory = try TemporaryDirectory()
        let data = sampleData(count: 500_000)
        try directory.write("ours.gz", try await gzip(data))
        #expect(try run("gzip", ["-dc", directory.path("ours.gz")]) == data)
        try directory.write("plain", data)
        let theirs = try run("gzip", ["-9", "-c", directory.path("plain")])
        #expect(try await gunzip(theirs) == data)
    }

    @Test func layerCompressionHelpersRoundTrip() async throws {
        let data = sampleData(count: 100_000)
        for format in LayerCompression.allCases {
            let packed = try await collect(compressed(MemoryByteStream(data), format: format)).bytes
            let (sniffed, replay) = try await CompressionSniffer.sniff(MemoryByteStream(packed, chunkSize: 2))
            #expect(sniffed == CompressionFormat(format))
            let unpacked = try await collect(decompressed(replay, format: sniffed, context: "helper")).bytes
            #expect(unpacked == data)
        }
    }
}
