import FerryStreams
import Testing

/// The bounded chunk queue between the two sides of a tee (a schema 1 layer, a blob read once for several destinations) (``ChunkChannel``):
/// order, the bound, failure from either side, the consumer finishing early, cancellation.
@Suite struct ChunkChannelTests {
    struct Boom: Error, Equatable {
        var side: String
    }

    private static func chunk(_ i: Int) -> [UInt8] { [UInt8(i & 0xFF)] }

    /// Polls `condition` for up to 2 s.
    private static func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<200 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    @Test(arguments: [1, 2, 8])
    func chunksArriveInOrderThenTheEnd(capacity: Int) async throws {
        let channel = ChunkChannel(capacity: capacity)
        let producer = Task {
            for i in 0..<50 { try await channel.send(Self.chunk(i)) }
            channel.finish()
        }
        var received: [[UInt8]] = []
        while let chunk = try await channel.receive() { received.append(chunk) }
        try await producer.value
        #expect(received == (0..<50).map(Self.chunk))
        #expect(channel.isFinished)
        #expect(try await channel.receive() == nil)
    }

    @Test func theProducerWaitsWhileTheQueueIsFull() async throws {
        let channel = ChunkChannel(capacity: 2)
        let sent = Locked(0)
        let producer = Task {
            for i in 0..<4 {
                try await channel.send(Self.chunk(i))
                sent.withLock { $0 += 1 }
            }
        }
        // The second chunk fills the queue: its send waits for the consumer.
        #expect(try await Self.eventually { sent.withLock { $0 } == 1 })
        try await Task.sleep(for: .milliseconds(50))
        #expect(sent.withLock { $0 } == 1)
        #expect(try await channel.receive() == Self.chunk(0))
        #expect(try await Self.eventually { sent.withLock { $0 } >= 2 })
        for i in 1..<4 { #expect(try await channel.receive() == Self.chunk(i)) }
        try await producer.value
        #expect(sent.withLock { $0 } == 4)
    }

    @Test func aProducerFailureReachesTheWaitingConsumer() async throws {
        let channel = ChunkChannel(capacity: 2)
        let consumer = Task { try await channel.receive() }
        try await Task.sleep(for: .milliseconds(20))
        channel.fail(Boom(side: "producer"))
        await #expect(throws: Boom(side: "producer")) { try await consumer.value }
        // And every later wait, on either side.
        await #expect(throws: Boom(side: "producer")) { try await channel.receive() }
        await #expect(throws: Boom(side: "producer")) { try await channel.send([1]) }
        await #expect(throws: Boom(side: "producer")) { try await channel.waitForConsumer() }
    }

    @Test func aConsumerFailureReachesTheWaitingProducer() async throws {
        let channel = ChunkChannel(capacity: 1)
        let producer = Task {
            try await channel.send([1])  // fills the queue and waits
            try await channel.send([2])
        }
        try await Task.sleep(for: .milliseconds(20))
        channel.fail(Boom(side: "consumer"))
        await #expect(throws: Boom(side: "consumer")) { try await producer.value }
    }

    @Test func theFirstFailureWins() async throws {
        let channel = ChunkChannel(capacity: 1)
        channel.fail(Boom(side: "first"))
        channel.fail(Boom(side: "second"))
        await #expect(throws: Boom(side: "first")) { try await channel.receive() }
    }

    @Test func aConsumerFinishingEarlyReleasesTheProducer() async throws {
        let channel = ChunkChannel(capacity: 1)
        let producer = Task {
            for i in 0..<10 { try await channel.send(Self.chunk(i)) }
            channel.finish()
            try await channel.waitForConsumer()
        }
        #expect(try await channel.receive() == Self.chunk(0))
        channel.consumerDone()
        // The rest is dropped, not queued: the producer runs to its end.
        try await producer.value
        try await channel.waitForConsumer()
    }

    @Test func aCancelledConsumerIsWokenByFailingTheChannel() async throws {
        let channel = ChunkChannel(capacity: 1)
        let consumer = Task { try await channel.receive() }
        try await Task.sleep(for: .milliseconds(20))
        consumer.cancel()
        // The channel does not watch cancellation itself: its owner fails it, as the tee does.
        channel.fail(CancellationError())
        await #expect(throws: CancellationError.self) { try await consumer.value }
    }

    @Test func theTeePassesChunksThroughAndWaitsForTheConsumer() async throws {
        let bytes = (0..<10_000).map { UInt8($0 & 0xFF) }
        let channel = ChunkChannel(capacity: 2)
        let consumed = Task {
            var all: [UInt8] = []
            while let chunk = try await channel.receive() { all += chunk }
            channel.consumerDone()
            return all
        }
        let tee = TeeStream(MemoryByteStream(bytes, chunkSize: 1000), into: channel)
        var passed: [UInt8] = []
        while let chunk = try await tee.next() { passed += chunk }
        #expect(passed == bytes)
        #expect(try await consumed.value == bytes)
    }

    @Test func theTeeReportsAConsumerFailure() async throws {
        let channel = ChunkChannel(capacity: 1)
        let consumer = Task {
            _ = try await channel.receive()
            channel.fail(Boom(side: "consumer"))
        }
        let tee = TeeStream(MemoryByteStream(Array(repeating: 7, count: 10_000), chunkSize: 100), into: channel)
        await #expect(throws: Boom(side: "consumer")) {
            while try await tee.next() != nil {}
        }
        try await consumer.value
    }
}
