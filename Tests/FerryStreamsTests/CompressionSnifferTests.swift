import FerryStreams
import Testing

@Suite("CompressionSniffer")
struct CompressionSnifferTests {
    @Test(
        arguments: [
            // Magic bytes of each format, followed by arbitrary data.
            ([0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00], CompressionFormat.gzip),
            ([0x28, 0xB5, 0x2F, 0xFD, 0x24, 0x00], .zstd),
            ([0x42, 0x5A, 0x68, 0x39, 0x31, 0x41], .bzip2),
            ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], .xz),
            // zstd skippable frames: the whole 0x184D2A50…5F range.
            ([0x50, 0x2A, 0x4D, 0x18, 0x08, 0x00], .zstd),
            ([0x5F, 0x2A, 0x4D, 0x18, 0x00, 0x00], .zstd),
            ([0x4F, 0x2A, 0x4D, 0x18, 0x00, 0x00], .none),
            ([0x60, 0x2A, 0x4D, 0x18, 0x00, 0x00], .none),
            // Near misses and short prefixes.
            ([0x1F, 0x8B, 0x07, 0x00], .none),
            ([0x1F, 0x8B], .none),
            ([0xFD, 0x37, 0x7A, 0x58, 0x5A], .none),
            ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x01], .none),
            ([], .none),
            // A tar header starts with a name.
            (Array("blobs/sha256/".utf8), .none),
        ] as [([UInt8], CompressionFormat)])
    func detectsByMagicBytes(prefix: [UInt8], expected: CompressionFormat) {
        #expect(CompressionSniffer.detect(prefix) == expected)
    }

    @Test(arguments: [1, 2, 5, 1 << 20])
    func sniffReplaysEveryByte(chunkSize: Int) async throws {
        let data: [UInt8] = [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00] + sampleData(count: 10_000)
        let (format, stream) = try await CompressionSniffer.sniff(MemoryByteStream(data, chunkSize: chunkSize))
        #expect(format == .xz)
        #expect(try await collect(stream).bytes == data)
    }

    @Test func sniffHandlesShortAndEmptyStreams() async throws {
        let (format, stream) = try await CompressionSniffer.sniff(MemoryByteStream([0x1F, 0x8B, 0x08], chunkSize: 1))
        #expect(format == .gzip)
        #expect(try await collect(stream).bytes == [0x1F, 0x8B, 0x08])
        let (emptyFormat, empty) = try await CompressionSniffer.sniff(MemoryByteStream([]))
        #expect(emptyFormat == .none)
        #expect(try await empty.next() == nil)
    }

    @Test func bzip2AndXzAreNotStreamStages() {
        for format in [CompressionFormat.bzip2, .xz] {
            #expect { _ = try decompressed(MemoryByteStream([]), format: format, context: "x") } throws: {
                ($0 as? StreamError)?.code == .unsupported
            }
        }
    }
}
