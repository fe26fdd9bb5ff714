/// One read of a stream feeding several consumers: a blob read once from its source and written
/// to every destination of a sync that lacks it.
///
/// Each consumer runs in a task of its own and reads a stream of its own (a ``ChunkChannel``)
/// that gives it every chunk of the source, in order. Memory stays bounded by `capacity` chunks
/// per consumer: the slowest consumer sets the pace of the read.
///
/// A consumer that fails drops out and the others go on; a failure of the source fails every
/// consumer that has not finished, so none of them sees the end of a stream that did not end.
public enum ByteFanOut {
    /// Reads `source` to its end once, giving it to each of `consumers`.
    /// - Parameters:
    ///   - capacity: the most chunks queued for one consumer before the read waits for it.
    ///   - consumers: each reads its stream (to its end, or as far as it needs) and returns a result.
    /// - Returns: each consumer's result or error, in the order of `consumers`.
    public static func run<Result: Sendable>(
        _ source: sending any ByteStream,
        capacity: Int = 4,
        consumers: [@Sendable (sending ChannelByteStream) async throws -> Result]
    ) async -> [Swift.Result<Result, any Error>] {
        let channels = consumers.map { _ in ChunkChannel(capacity: capacity) }
        return await withTaskGroup(of: (Int, Swift.Result<Result, any Error>).self) { group in
            for (index, consume) in consumers.enumerated() {
                let channel = channels[index]
                group.addTask {
                    do {
                        let result = try await consume(ChannelByteStream(channel))
                        channel.consumerDone()
                        return (index, .success(result))
                    } catch {
                        channel.fail(error)
                        return (index, .failure(error))
                    }
                }
            }
            await pump(source, into: channels)
            var results = [Swift.Result<Result, any Error>?](repeating: nil, count: consumers.count)
            for await (index, result) in group { results[index] = result }
            return results.map { $0! }
        }
    }

    /// Sends every chunk of `source` into each channel still open, then ends them; a source
    /// error fails them all. Stops reading once every consumer has dropped out.
    private static func pump(_ source: any ByteStream, into channels: [ChunkChannel]) async {
        var open = Array(channels.indices)
        do {
            while !open.isEmpty, let chunk = try await source.next() {
                var stillOpen: [Int] = []
                for index in open {
                    do {
                        try await channels[index].send(chunk)
                        stillOpen.append(index)
                    } catch {
                        // That consumer failed; it already has its error.
                    }
                }
                open = stillOpen
            }
            for index in open { channels[index].finish() }
        } catch {
            for channel in channels { channel.fail(error) }
        }
    }
}
