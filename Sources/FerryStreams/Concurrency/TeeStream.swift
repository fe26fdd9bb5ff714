/// Passes `upstream` through unchanged while sending every chunk, in order, into a
/// ``ChunkChannel`` read by another task.
///
/// At the end it waits for the consumer to finish before returning `nil`, so a reader that lands
/// data only on `nil` lands nothing unless the consumer succeeded too. An upstream error fails the
/// channel; a consumer error comes back from the next ``next()``.
public final class TeeStream: ByteStream {
    private let upstream: any ByteStream
    private let channel: ChunkChannel
    private var finished = false

    /// Passes `upstream` on, sending its chunks into `channel`.
    public init(_ upstream: any ByteStream, into channel: ChunkChannel) {
        self.upstream = upstream
        self.channel = channel
    }

    public func next() async throws -> [UInt8]? {
        guard !finished else { return nil }
        let chunk: [UInt8]?
        do {
            chunk = try await upstream.next()
        } catch {
            channel.fail(error)
            throw error
        }
        guard let chunk else {
            finished = true
            channel.finish()
            try await channel.waitForConsumer()
            return nil
        }
        try await channel.send(chunk)
        return chunk
    }
}
