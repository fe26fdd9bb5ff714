import FerrySpec

/// Passes a blob through while counting and hashing it, and fails unless it is exactly what its
/// descriptor says.
///
/// - It throws as soon as more bytes arrive than the descriptor's size, so a hostile or broken
///   source can never make a reader consume past the declared size.
/// - At the end it throws on a short stream or a digest mismatch *before* returning `nil`, so a
///   consumer that lands data only after seeing `nil` never lands unverified data.
///
/// Digests with an algorithm Ferry cannot compute are refused: content behind them is never trusted.
public final class VerifyingStream: ByteStream {
    private let upstream: any ByteStream
    private let expected: Descriptor
    private let context: String
    private let hasher: DigestHasher
    private var count: Int64 = 0
    private var finished = false

    /// - Parameters:
    ///   - upstream: the raw bytes.
    ///   - expected: the descriptor they must match.
    ///   - context: where they come from, for messages (`blob sha256:… in oci:/path`).
    public init(_ upstream: any ByteStream, expected: Descriptor, context: String) throws(StreamError) {
        guard let algorithm = expected.digest.knownAlgorithm else {
            throw StreamError(.unsupported, "\(context): digest algorithm \"\(expected.digest.algorithm)\" cannot be verified")
        }
        self.upstream = upstream
        self.expected = expected
        self.context = context
        self.hasher = try DigestHasher(algorithm)
    }

    /// Bytes passed through so far.
    public var bytesRead: Int64 { count }

    public func next() async throws -> [UInt8]? {
        guard !finished else { return nil }
        guard let chunk = try await upstream.next() else {
            finished = true
            guard count == expected.size else {
                throw StreamError(.sizeMismatch, "\(context): expected \(expected.size) bytes, got \(count) (truncated)")
            }
            let actual = hasher.finalize()
            guard actual == expected.digest else {
                throw StreamError(.digestMismatch, "\(context): content has digest \(actual), expected \(expected.digest)")
            }
            return nil
        }
        count += Int64(chunk.count)
        guard count <= expected.size else {
            finished = true
            throw StreamError(.sizeMismatch, "\(context): more than the declared \(expected.size) bytes")
        }
        hasher.update(chunk)
        return chunk
    }
}
