import FerryStreams
import Testing

/// A tar that ends right after its last member's data (no padding, no end-of-archive blocks),
/// as umoci 0.4.7's `insert` writes layers: complete, but without its end marker.
struct TarUnpaddedEndTests {
    private func tar(dataSize: Int, keep: Int) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ s: String, at offset: Int) { for (i, b) in s.utf8.enumerated() { header[offset + i] = b } }
        func octal(_ n: Int, width: Int) -> String {
            let digits = String(n, radix: 8)
            return String(repeating: "0", count: width - digits.count) + digits
        }
        put("f", at: 0)
        put("0000644", at: 100)
        put(octal(dataSize, width: 11), at: 124)
        put("0", at: 156)
        put("ustar\u{0}00", at: 257)
        put("        ", at: 148)
        let sum = header.reduce(0) { $0 + Int($1) }
        put(octal(sum, width: 6) + "\u{0} ", at: 148)
        let data = [UInt8](repeating: UInt8(ascii: "a"), count: dataSize)
        let padding = [UInt8](repeating: 0, count: (512 - dataSize % 512) % 512 + 1024)
        return Array((header + data + padding).prefix(keep))
    }

    @Test(arguments: [
        // (data size, bytes kept after the header, member found, ended without padding, end marker)
        (5, 5, true, true, false),  // right after the data
        (5, 100, true, true, false),  // inside the padding
        (5, 512, true, false, false),  // padded, no end blocks
        (5, 512 + 1024, true, false, true),  // complete
    ])
    func endsAfterData(size: Int, kept: Int, found: Bool, unpadded: Bool, marker: Bool) async throws {
        let scanner = TarStreamScanner(MemoryByteStream(tar(dataSize: size, keep: 512 + kept)), context: "test")
        let member = try await scanner.next()
        #expect((member?.name == "f") == found)
        #expect(try await scanner.next() == nil)
        #expect(scanner.endedWithoutPadding == unpadded)
        #expect(scanner.sawEndMarker == marker)
    }

    @Test func endingInsideTheDataIsStillTruncation() async throws {
        let scanner = TarStreamScanner(MemoryByteStream(tar(dataSize: 600, keep: 512 + 300)), context: "test")
        await #expect(throws: StreamError.self) { _ = try await scanner.next() }
    }
}
