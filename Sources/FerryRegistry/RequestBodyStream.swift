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

        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await stream.next() else { return nil }
            return ByteBuffer(bytes: chunk)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(stream: stream)
    }
}
