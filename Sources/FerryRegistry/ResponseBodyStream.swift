import AsyncHTTPClient
import FerryStreams
import NIOCore

/// A blob's response body as a ``ByteStream``: chunks as the network delivers them, nothing
/// buffered beyond one chunk.
///
/// A connection that breaks mid-body, or a body that arrives slower than ``LowSpeedLimit``,
/// becomes a ``RegistryError`` (`connection`) naming the blob and how many bytes had arrived, which
/// ``ResumingBlobStream`` answers with a `Range` request; the reader's ``VerifyingStream``
/// catches short or altered content at the end.
final class ResponseBodyStream: ByteStream {
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    private let context: String
    private var received: Int64 = 0
    private var watch: ThroughputWatch
    /// Whether the body was cut for arriving slower than the low-speed limit (rather than broken).
    private(set) var fellUnderLowSpeed = false

    /// - Parameters:
    ///   - offset: where in the blob this body starts (for messages after a resume).
    ///   - lowSpeed: the slowest the body may arrive.
    init(_ body: HTTPClientResponse.Body, context: String, offset: Int64 = 0, lowSpeed: LowSpeedLimit) {
        iterator = body.makeAsyncIterator()
        self.context = context
        received = offset
        watch = ThroughputWatch(lowSpeed)
    }

    func next() async throws -> [UInt8]? {
        while true {
            let buffer: ByteBuffer?
            do {
                buffer = try await iterator.next()
            } catch {
                throw RegistryError(.connection, "\(context): the connection broke after \(received) bytes: \(RegistryClient.describe(error))")
            }
            guard let buffer else { return nil }
            if let slow = watch.record(buffer.readableBytes) {
                fellUnderLowSpeed = true
                throw RegistryError(.connection, "\(context): \(watch.complaint(received: slow)) (after \(received) bytes)")
            }
            if buffer.readableBytes == 0 { continue }
            received += Int64(buffer.readableBytes)
            return Array(buffer.readableBytesView)
        }
    }
}
