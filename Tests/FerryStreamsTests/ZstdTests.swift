import FerryStreams
import Testing

func zstd(_ bytes: [UInt8], level: Int = 3, chunkSize: Int = 1 << 20) async throws -> [UInt8] {
    try await collect(compressed(MemoryByteStream(bytes, chunkSize: chunkSize), format: CompressionFormat.zstd, level: level)).bytes
}

func unzstd(_ bytes: [UInt8], chunkSize: Int = 1 << 20, context: String = "test.zst") async throws -> [UInt8] {
    try await collect(ZstdDecompressStream(MemoryByteStream(bytes, chunkSize: chunkSize), context: context)).bytes
}

/// A skippable frame (magic 0x184D2A5X little-endian, then a little-endian length) around `payload`.
func skippableFrame(_ payload: [UInt8], variant: UInt8 = 0) -> [UInt8] {
    let length = UInt32(payload.count)
    return [0x50 | variant, 0x2A, 0x4D, 0x18]
        + [UInt8(length & 0xFF), UInt8((length >> 8) & 0xFF), UInt8((length >> 16) & 0xFF), UInt8(length >> 24)]
        + payload
}

@Suite("zstd")
struct ZstdTests {
    @Test(arguments: [(1, 150_000), (4_096, 3_000_000), (1 << 20, 3_000_000)])
    func roundTripAcrossChunkSizes(chunkSize: Int, length: Int) async throws {
        let data = sampleData(count: length)
        let compressed = try await zstd(data, chunkSize: chunkSize)
        let result = try await collect(ZstdDecompressStream(MemoryByteStream(compressed, chunkSize: chunkSize), context: "round trip"))
        #expect(result.bytes == data)
        #expect(result.chunks.dropLast().allSatisfy { $0 == 1 << 20 })
        #expect(result.chunks.allSatisfy { $0 > 0 })
    }

    @Test func multipleFramesAreConcatenated() async throws {
        let first = sampleData(count: 300_000, seed: 1)
        let second = sampleData(count: 200_000, seed: 2)
        let joined = try await zstd(first) + (try await zstd(second, level: 19))
        #expect(try await unzstd(joined, chunkSize: 777) == first + second)
    }

    @Test func skippableFramesAreIgnored() async throws {
        let data = sampleData(count: 100_000)
        let frame = try await zstd(data)
        let stream =
            skippableFrame(Array("metadata".utf8)) + frame + skippableFrame([], variant: 0xF) + frame
            + skippableFrame(sampleData(count: 3_000, seed: 9), variant: 3)
        #expect(try await unzstd(stream, chunkSize: 1_000) == data + data)
    }

    @Test(arguments: [1, 20, 1_000])
    func truncatedInputIsCorruptAndNamesContext(dropping: Int) async throws {
        let compressed = try await zstd(sampleData(count: 200_000))
        let error = await streamError { _ = try await unzstd(Array(compressed.dropLast(dropping)), context: "blob sha256:def") }
        #expect(error?.code == .corruptData)
        #expect(error?.message.contains("blob sha256:def") == true)
    }

    @Test func corruptDataCarriesLibraryMessage() async throws {
        var compressed = try await zstd(sampleData(count: 200_000))
        compressed[compressed.count - 2] ^= 0xFF  // inside the content checksum
        let error = await streamError { _ = try await unzstd(compressed, context: "bad.zst") }
        #expect(error?.code == .corruptData)
        #expect(error?.message.contains("checksum") == true)
    }

    @Test func outputIsDeterministicAcrossChunking() async throws {
        let data = sampleData(count: 2_000_000, seed: 42)
        let one = try await zstd(data)
        #expect(one == (try await zstd(data, chunkSize: 9_999)))
        #expect(Array(one.prefix(4)) == [0x28, 0xB5, 0x2F, 0xFD])
    }

    @Test func emptyInputRoundTrips() async throws {
        #expect(try await unzstd(try await zstd([])).isEmpty)
        #expect(await streamErrorCode { _ = try await unzstd([]) } == .corruptData)
    }

    @Test(.enabled(if: tool("zstd") != nil, "needs the zstd tool"))
    func interoperatesWithSystemZstd() async throws {
        let directory = try TemporaryDirectory()
        let data = sampleData(count: 500_000)
        try directory.write("ours.zst", try await zstd(data))
        #expect(try run("zstd", ["-q", "-d", "-c", directory.path("ours.zst")]) == data)
        try directory.write("plain", data)
        let theirs = try run("zstd", ["-q", "-19", "-c", directory.path("plain")])
        #expect(try await unzstd(theirs) == data)
    }
}
