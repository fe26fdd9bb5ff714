import FerrySpec
import FerryStreams
import Testing

/// Counts pulls so a test can tell whether the verifier read past the declared size.
final class CountingStream: ByteStream {
    private let upstream: any ByteStream
    private(set) var pulls = 0
    init(_ upstream: any ByteStream) { self.upstream = upstream }
    func next() async throws -> [UInt8]? {
        pulls += 1
        return try await upstream.next()
    }
}

@Suite("VerifyingStream")
struct VerifyingStreamTests {
    let content = sampleData(count: 10_000)

    func descriptor(for bytes: [UInt8]) throws -> Descriptor {
        Descriptor(mediaType: .ociLayer(.none), digest: try DigestHasher.digest(bytes), size: Int64(bytes.count))
    }

    @Test func exactContentPasses() async throws {
        let stream = try VerifyingStream(MemoryByteStream(content, chunkSize: 999), expected: descriptor(for: content), context: "test blob")
        let (bytes, _) = try await collect(stream)
        #expect(bytes == content)
        #expect(stream.bytesRead == Int64(content.count))
    }

    @Test func oneExtraByteFailsBeforeReadingFurther() async throws {
        let longer = content + [0x42] + sampleData(count: 5_000, seed: 7)
        let counting = CountingStream(MemoryByteStream(longer, chunkSize: content.count + 1))
        let stream = try VerifyingStream(counting, expected: descriptor(for: content), context: "test blob")
        #expect(await streamErrorCode { _ = try await collect(stream) } == .sizeMismatch)
        #expect(counting.pulls == 1)
    }

    @Test func shortContentFails() async throws {
        let stream = try VerifyingStream(MemoryByteStream(Array(content.dropLast())), expected: descriptor(for: content), context: "test blob")
        #expect(await streamErrorCode { _ = try await collect(stream) } == .sizeMismatch)
    }

    @Test func flippedByteFailsWithDigestMismatch() async throws {
        var corrupt = content
        corrupt[1234] ^= 0x01
        let stream = try VerifyingStream(MemoryByteStream(corrupt), expected: descriptor(for: content), context: "test blob")
        #expect(await streamErrorCode { _ = try await collect(stream) } == .digestMismatch)
    }

    @Test func unknownAlgorithmIsRefused() throws {
        let unknown = Descriptor(mediaType: .ociLayer(.none), digest: try Digest(parsing: "blake3:abcdef0123456789"), size: 3)
        #expect {
            _ = try VerifyingStream(MemoryByteStream([1, 2, 3]), expected: unknown, context: "test blob")
        } throws: { ($0 as? StreamError)?.code == .unsupported }
    }
}
