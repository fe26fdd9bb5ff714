import FerrySpec
import FerryStreams
import Testing

/// gzip through Ferry's own chunk-parallel compressor; one member per 2 MiB unless `chunkSize` is given.
func gzip(_ bytes: [UInt8], compressor: GzipChunkCompressor? = nil, chunkSize: Int = ParallelCompressStream.defaultChunkSize) async throws -> [UInt8] {
    let source = MemoryByteStream(bytes, chunkSize: 100_000)
    let stage =
        if let compressor {
            ParallelCompressStream(source, compressor: compressor, chunkSize: chunkSize, workers: 2)
        } else {
            ParallelCompressStream(source, chunkSize: chunkSize, workers: 2)
        }
    return try await collect(stage).bytes
}

func gunzip(_ bytes: [UInt8], chunkSize: Int = 1 << 20, context: String = "test.gz") async throws -> [UInt8] {
    try await collect(IsalGzipDecompressStream(MemoryByteStream(bytes, chunkSize: chunkSize), context: context)).bytes
}

/// The ISA-L inflate stage: every gzip writer's output, multi-member streams, padding, and hostile input.
@Suite("ISA-L gzip inflate")
struct IsalGzipDecompressTests {
    // Input chunk sizes from one byte (every isal_inflate call starved) to larger than the output chunk.
    @Test(arguments: [(1, 150_000), (4_096, 3_000_000), (1 << 20, 3_000_000), (3 << 20, 3_000_000)])
    func roundTripAcrossChunkSizes(chunkSize: Int, length: Int) async throws {
        let data = sampleData(count: length)
        let compressed = try await gzip(data)
        let result = try await collect(IsalGzipDecompressStream(MemoryByteStream(compressed, chunkSize: chunkSize), context: "round trip"))
        #expect(result.bytes == data)
        // Full ~1 MiB chunks except the last; never an empty one.
        #expect(result.chunks.dropLast().allSatisfy { $0 == 1 << 20 })
        #expect(result.chunks.allSatisfy { $0 > 0 })
    }

    // Every compressor Ferry has, in small members so that each stream has several; 1-byte input
    // chunks so that members end and start mid-call and between calls.
    @Test(arguments: [
        try GzipChunkCompressor(.libdeflate, level: 1), try GzipChunkCompressor(.libdeflate, level: 6),
        try GzipChunkCompressor(.libdeflate, level: 12), try GzipChunkCompressor(.isal, level: 1),
        try GzipChunkCompressor(.isal, level: 2), try GzipChunkCompressor(.isal, level: 3),
    ])
    func readsEveryFerryCompressorByteByByte(_ compressor: GzipChunkCompressor) async throws {
        let data = sampleData(count: 200_000, seed: 3)
        let compressed = try await gzip(data, compressor: compressor, chunkSize: 64 * 1024)
        #expect(try await gunzip(compressed, chunkSize: 1) == data)
        #expect(try await gunzip(compressed, chunkSize: 65_537) == data)
    }

    @Test func emptyInputRoundTrips() async throws {
        let compressed = try await gzip([])
        #expect(try await gunzip(compressed).isEmpty)
    }

    @Test func multiMemberStreamIsConcatenated() async throws {
        let first = sampleData(count: 300_000, seed: 1)
        let second = sampleData(count: 200_000, seed: 2)
        let joined = try await gzip(first) + (try await gzip(second, compressor: try GzipChunkCompressor(.isal, level: 1)))
        #expect(try await gunzip(joined) == first + second)
        #expect(try await gunzip(joined, chunkSize: 1_000) == first + second)
        #expect(try await gunzip(joined, chunkSize: 1) == first + second)
    }

    @Test func emptyMembersInTheMiddleAreRead() async throws {
        let data = sampleData(count: 10_000)
        let joined = try await gzip(data) + (try await gzip([])) + (try await gzip(data))
        #expect(try await gunzip(joined, chunkSize: 7) == data + data)
    }

    @Test(arguments: [1, 333, 1 << 20])
    func zeroPaddingAfterLastMemberIsTolerated(chunkSize: Int) async throws {
        let data = sampleData(count: 50_000)
        let padded = try await gzip(data) + [UInt8](repeating: 0, count: 1_000)
        #expect(try await gunzip(padded, chunkSize: chunkSize) == data)
    }

    @Test func trailingGarbageIsCorrupt() async throws {
        let garbage = try await gzip(sampleData(count: 1_000)) + Array("garbage".utf8)
        let error = await streamError { _ = try await gunzip(garbage, context: "tail.gz") }
        #expect(error?.code == .corruptData)
        #expect(error?.message.contains("tail.gz") == true)
    }

    // Cut inside the deflate data, inside the trailer, and right after the header; whole chunks
    // and byte by byte.
    @Test(arguments: [(100, 1 << 20), (4, 1 << 20), (0, 1 << 20), (100, 1), (4, 1), (0, 1)])
    func truncatedInputIsCorruptAndNamesContext(dropping: Int, chunkSize: Int) async throws {
        let compressed = try await gzip(sampleData(count: 200_000))
        let cut = dropping == 0 ? Array(compressed.prefix(10)) : Array(compressed.dropLast(dropping))
        let error = await streamError { _ = try await gunzip(cut, chunkSize: chunkSize, context: "layer sha256:abc in app.tar") }
        #expect(error?.code == .corruptData)
        #expect(error?.message.contains("layer sha256:abc in app.tar") == true)
        #expect(error?.message.contains("truncated") == true)
    }

    @Test func streamEndingInsideTheFileNameIsTruncated() async throws {
        let header: [UInt8] = [0x1F, 0x8B, 0x08, 0x08, 0, 0, 0, 0, 0, 3] + Array("layer.t".utf8)
        let error = await streamError { _ = try await gunzip(header, chunkSize: 3, context: "named.gz") }
        #expect(error?.code == .corruptData)
        #expect(error?.message.contains("truncated") == true)
    }

    // A wrong CRC-32 and a wrong length in the trailer; a damaged magic number; a damaged block.
    @Test(arguments: [(-8, "trailer"), (-2, "trailer"), (1, "header"), (40, "member 1")])
    func corruptDataIsRefusedWithReason(offset: Int, words: String) async throws {
        var compressed = try await gzip(sampleData(count: 200_000), compressor: try GzipChunkCompressor(.isal, level: 1))
        let index = offset < 0 ? compressed.count + offset : offset
        compressed[index] ^= 0x5A
        let error = await streamError { _ = try await gunzip(compressed, context: "bad.gz") }
        #expect(error?.code == .corruptData)
        #expect(error?.message.contains("bad.gz") == true)
        #expect(error?.message.contains(words) == true)
    }

    @Test func emptyInputIsNotGzip() async throws {
        let error = await streamError { _ = try await gunzip([], context: "nothing.gz") }
        #expect(error?.code == .corruptData)
        #expect(error?.message.contains("nothing.gz") == true)
    }

    @Test func leadingZerosAreNotPadding() async throws {
        let compressed = [UInt8](repeating: 0, count: 4) + (try await gzip(sampleData(count: 1_000)))
        #expect(await streamErrorCode { _ = try await gunzip(compressed) } == .corruptData)
    }

    // GNU gzip's own output at its fastest, default and best levels, with a file name in the
    // header, whole, in small pieces and byte by byte (the header then arrives in many calls).
    @Test(.enabled(if: tool("gzip") != nil, "needs the gzip tool"), arguments: ["-1", "-6", "-9"])
    func readsSystemGzipOutput(level: String) async throws {
        let directory = try TemporaryDirectory()
        let data = sampleData(count: 500_000)
        try directory.write("plain", data)
        let theirs = try run("gzip", [level, "-c", directory.path("plain")])
        #expect(theirs[3] & 0x08 != 0)
        for chunkSize in [1, 2, 7, 4_099, 1 << 20] {
            #expect(try await gunzip(theirs, chunkSize: chunkSize) == data)
            // Two gzip runs concatenated, as `cat a.gz b.gz` makes.
            #expect(try await gunzip(theirs + theirs, chunkSize: chunkSize) == data + data)
        }
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
