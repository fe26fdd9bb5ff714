import FerrySpec
import FerryStreams
import NIOCore

/// Hands a ``VerifyingStream`` to AsyncHTTPClient as a request body, and keeps it so the digest
/// it computed can be read once the request finished.
///
/// `@unchecked Sendable` because AsyncHTTPClient needs a `Sendable` sequence while a
/// ``ByteStream`` is a one-owner class. That is sound here: the stream was handed over with
/// `sending`, AsyncHTTPClient makes one iterator and pulls it one chunk at a time, and
/// ``result`` is read only after the request has completed.
final class RequestBodyStream: AsyncSequence, @unchecked Sendable {
    typealias Element = ByteBuffer

    private let stream: VerifyingStream

    init(_ stream: sending VerifyingStream) {
        self.stream = stream
    }

    /// The digest and size of what was sent, once the stream reached its end.
    var result: (digest: Digest, size: Int64)? { stream.result }

    struct AsyncIterator: AsyncIteratorProtocol {
        let stream: VerifyingStream
        var ended = false

        /// The next chunk. When it completes a body of known size, the stream's end is read
        /// before the chunk is handed over: the digest is checked before the last bytes leave
        /// (a mismatch fails the request instead of completing it), and ``result`` is set even
        /// when AsyncHTTPClient, having sent the declared length, never asks for the end — which
        /// it may not, once the registry has answered.
        mutating func next() async throws -> ByteBuffer? {
            guard !ended, let chunk = try await stream.next() else { return nil }
            if let size = stream.expectedSize, stream.bytesRead == size {
                _ = try await stream.next()  // nil: the stream throws on any byte past `size`
                ended = true
            }
            return ByteBuffer(bytes: chunk)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(stream: stream)
    }
}
