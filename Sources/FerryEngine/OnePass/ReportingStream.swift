import FerrySpec
import FerryStreams

/// Where a ``ReportingStream`` leaves the digest and size of what passed, readable after the
/// stream itself was handed on.
final class DigestResult: Sendable {
    private let state = Locked<(digest: Digest, size: Int64)?>(nil)

    /// The digest and size, once the stream reached its end.
    var value: (digest: Digest, size: Int64)? { state.withLock { $0 } }

    fileprivate func set(_ value: (digest: Digest, size: Int64)?) {
        state.withLock { $0 = value }
    }
}

/// Passes a ``VerifyingStream`` through and, at its end, leaves its result in a ``DigestResult``.
final class ReportingStream: ByteStream {
    private let upstream: VerifyingStream
    private let result: DigestResult

    init(_ upstream: VerifyingStream, into result: DigestResult) {
        self.upstream = upstream
        self.result = result
    }

    func next() async throws -> [UInt8]? {
        guard let chunk = try await upstream.next() else {
            result.set(upstream.result)
            return nil
        }
        return chunk
    }
}
