import FerryStreams

/// Passes a stream through and remembers how it ended, so that a verifier can tell which stage of
/// a chain failed: a blob whose bytes are wrong (digest or size), the decompressor, or the tar walk.
final class RecordingStream: ByteStream {
    private let upstream: any ByteStream
    /// The error the upstream threw, if any.
    private(set) var failure: (any Error)?
    /// Whether the upstream reached its end (successfully or not).
    private(set) var ended = false

    init(_ upstream: any ByteStream) {
        self.upstream = upstream
    }

    func next() async throws -> [UInt8]? {
        guard !ended else { return nil }
        do {
            let chunk = try await upstream.next()
            if chunk == nil { ended = true }
            return chunk
        } catch {
            ended = true
            failure = error
            throw error
        }
    }

    /// Reads what is left, so that the digest is checked even when a later stage stopped early.
    func finish() async {
        while !ended {
            do {
                _ = try await next()
            } catch {
                return
            }
        }
    }
}
