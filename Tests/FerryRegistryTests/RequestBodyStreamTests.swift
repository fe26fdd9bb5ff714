import FerrySpec
import FerryStreams
import Testing

@testable import FerryRegistry

/// A blob sent as a request body of known length is verified when its last bytes are handed
/// over, not on a read of its end that the HTTP client may never make: AsyncHTTPClient stops
/// asking once it has sent the declared length and the registry has answered (seen as "the
/// upload finished before the blob was read to its end" in a slow run of the sync kill test).
struct RequestBodyStreamTests {
    static let bytes = [UInt8]((0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })

    /// Takes the `chunks` chunks that hold the declared length from the body, as an HTTP client
    /// that honours a declared length does, and never asks for more.
    static func send(_ body: RequestBodyStream, chunks: Int) async throws -> Int {
        var iterator = body.makeAsyncIterator()
        var sent = 0
        while sent < chunks, try await iterator.next() != nil { sent += 1 }
        return sent
    }

    @Test(arguments: [1, 999, 10_000])
    func aBodyOfKnownLengthIsVerifiedWithItsLastBytes(_ chunkSize: Int) async throws {
        let descriptor = Descriptor(mediaType: .ociLayer(.none), digest: try DigestHasher.digest(Self.bytes), size: Int64(Self.bytes.count))
        let body = RequestBodyStream(try VerifyingStream(MemoryByteStream(Self.bytes, chunkSize: chunkSize), expected: descriptor, context: "test"))
        let chunks = (Self.bytes.count + chunkSize - 1) / chunkSize
        #expect(try await Self.send(body, chunks: chunks) == chunks)
        #expect(body.result?.digest == descriptor.digest)
        #expect(body.result?.size == Int64(Self.bytes.count))
    }

    @Test func aMismatchFailsTheLastChunkInsteadOfSendingIt() async throws {
        let descriptor = Descriptor(mediaType: .ociLayer(.none), digest: try DigestHasher.digest([1, 2, 3]), size: Int64(Self.bytes.count))
        let body = RequestBodyStream(try VerifyingStream(MemoryByteStream(Self.bytes, chunkSize: 1000), expected: descriptor, context: "test"))
        await #expect(throws: (any Error).self) { _ = try await Self.send(body, chunks: 10) }
        #expect(body.result == nil)
    }
}
