import FerrySpec

/// Passes a blob through while counting and hashing it: it verifies the blob against an expected
/// descriptor, or, for a blob being produced (a recompressed layer), computes its digest.
///
/// When an expectation is given:
/// - it throws as soon as more bytes arrive than the descriptor's size, so a hostile or broken
///   source can never make a reader consume past the declared size;
/// - at the end it throws on a short stream or a digest mismatch *before* returning `nil`, so a
///   consumer that lands data only after seeing `nil` never lands unverified data.
///
/// Digests with an algorithm Ferry cannot compute are refused: content behind them is never trusted.
/// After the stream returned `nil`, ``result`` holds the digest and size of what passed.
public final class VerifyingStream: ByteStream {
    private let upstream: any ByteStream
    private let expected: Descriptor?
    private let expectedDigestOnly: Digest?
    private let context: String
    private let hasher: DigestHasher
    private var count: Int64 = 0
    private var finished = false

    /// The descriptor the blob is verified against, when one was given: what a destination may
    /// name its bytes by before they are complete (a download kept across runs).
    public var expectedDescriptor: Descriptor? { expected }

    /// The digest and size of what passed; set once the stream returned `nil`.
    public private(set) var result: (digest: Digest, size: Int64)?

    /// A stream that verifies `upstream` against `expected`.
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
        self.expectedDigestOnly = nil
        self.context = context
        self.hasher = try DigestHasher(algorithm)
    }

    /// A stream that verifies `upstream` against a digest whose size is not known in advance
    /// (the DiffID of a layer being decompressed).
    public init(_ upstream: any ByteStream, expectedDigest: Digest, context: String) throws(StreamError) {
        guard let algorithm = expectedDigest.knownAlgorithm else {
            throw StreamError(.unsupported, "\(context): digest algorithm \"\(expectedDigest.algorithm)\" cannot be verified")
        }
        self.upstream = upstream
        self.expected = nil
        self.expectedDigestOnly = expectedDigest
        self.context = context
        self.hasher = try DigestHasher(algorithm)
    }

    /// A stream that computes the digest of `upstream` without an expectation.
    public init(_ upstream: any ByteStream, computing algorithm: Digest.Algorithm = .sha256, context: String) throws(StreamError) {
        self.upstream = upstream
        self.expected = nil
        self.expectedDigestOnly = nil
        self.context = context
        self.hasher = try DigestHasher(algorithm)
    }

    /// Bytes passed through so far.
    public var bytesRead: Int64 { count }

    /// The digest the stream is checked against, or `nil` when it only computes one.
    public var expectedDigest: Digest? { expected?.digest ?? expectedDigestOnly }

    /// The size the blob must have, when it is known before reading (a stream made with a
    /// descriptor): lets an upload declare its length up front.
    public var expectedSize: Int64? { expected?.size }

    public func next() async throws -> [UInt8]? {
        guard !finished else { return nil }
        guard let chunk = try await upstream.next() else {
            finished = true
            let actual = hasher.finalize()
            if let expected {
                guard count == expected.size else {
                    throw StreamError(
                        .sizeMismatch, "\(context): expected \(expected.size) bytes, got \(count) (truncated)",
                        facts: FailureFacts(expectedSize: expected.size, actualSize: count))
                }
                guard actual == expected.digest else {
                    throw StreamError(
                        .digestMismatch, "\(context): content has digest \(actual), expected \(expected.digest)",
                        facts: FailureFacts(expectedDigest: expected.digest, actualDigest: actual, expectedSize: expected.size, actualSize: count))
                }
            }
            if let expectedDigestOnly, actual != expectedDigestOnly {
                throw StreamError(
                    .digestMismatch, "\(context): content has digest \(actual), expected \(expectedDigestOnly)",
                    facts: FailureFacts(expectedDigest: expectedDigestOnly, actualDigest: actual, actualSize: count))
            }
            result = (actual, count)
            return nil
        }
        count += Int64(chunk.count)
        if let expected, count > expected.size {
            finished = true
            throw StreamError(
                .sizeMismatch, "\(context): more than the declared \(expected.size) bytes",
                facts: FailureFacts(expectedSize: expected.size, offset: expected.size))
        }
        hasher.update(chunk)
        return chunk
    }
}
