import FerryStreams
import Testing

/// One read feeding several consumers (``ByteFanOut``): every consumer gets every byte in order;
/// one failing consumer leaves the others whole; a failing source fails all of them.
@Suite struct ByteFanOutTests {
    struct Boom: Error, Equatable {
        var side: String
    }

    /// A stream of `count` chunks of `size` bytes, failing after `failAfter` chunks when given.
    final class Chunks: ByteStream {
        let count: Int, size: Int, failAfter: Int?
        /// How many chunks were read, seen from outside.
        let served: Counter
        private var next = 0
        init(count: Int, size: Int, failAfter: Int? = nil, served: Counter = Counter()) {
            self.count = count
            self.size = size
            self.failAfter = failAfter
            self.served = served
        }
        func next() async throws -> [UInt8]? {
            if let failAfter, next == failAfter { throw Boom(side: "source") }
            guard next < count else { return nil }
            defer {
                next += 1
                served.value.withLock { $0 += 1 }
            }
            return [UInt8](repeating: UInt8(next & 0xFF), count: size)
        }
    }

    final class Counter: Sendable {
        let value = Locked(0)
    }

    static func expected(count: Int, size: Int) -> [UInt8] {
        (0..<count).flatMap { [UInt8](repeating: UInt8($0 & 0xFF), count: size) }
    }

    @Test(arguments: [1, 2, 5])
    func everyConsumerGetsEveryByteInOrder(consumers: Int) async throws {
        let results = await ByteFanOut.run(
            Chunks(count: 40, size: 1000), capacity: 2,
            consumers: (0..<consumers).map { _ in
                { @Sendable stream in try await stream.readAll(limit: 1 << 20, context: "test") }
            })
        #expect(results.count == consumers)
        for result in results { #expect(try result.get() == Self.expected(count: 40, size: 1000)) }
    }

    @Test func aFailingConsumerLeavesTheOthersWhole() async throws {
        let results = await ByteFanOut.run(
            Chunks(count: 30, size: 100), capacity: 1,
            consumers: [
                { @Sendable stream in try await stream.readAll(limit: 1 << 20, context: "test") },
                { @Sendable stream in
                    _ = try await stream.next()
                    throw Boom(side: "consumer")
                },
                { @Sendable stream in try await stream.readAll(limit: 1 << 20, context: "test") },
            ])
        #expect(try results[0].get() == Self.expected(count: 30, size: 100))
        #expect(throws: Boom(side: "consumer")) { try results[1].get() }
        #expect(try results[2].get() == Self.expected(count: 30, size: 100))
    }

    @Test func aFailingSourceFailsEveryConsumer() async throws {
        let results = await ByteFanOut.run(
            Chunks(count: 30, size: 100, failAfter: 7), capacity: 2,
            consumers: (0..<3).map { _ in
                { @Sendable stream in try await stream.readAll(limit: 1 << 20, context: "test") }
            })
        for result in results { #expect(throws: Boom(side: "source")) { try result.get() } }
    }

    @Test func theSourceIsNotReadPastTheLastConsumer() async throws {
        let served = Counter()
        let results = await ByteFanOut.run(
            Chunks(count: 1000, size: 10, served: served), capacity: 1,
            consumers: (0..<2).map { _ in
                { @Sendable stream in
                    _ = try await stream.next()
                    throw Boom(side: "consumer")
                }
            })
        for result in results { #expect(throws: Boom(side: "consumer")) { try result.get() } }
        let read = served.value.withLock { $0 }
        #expect(read < 10, "read \(read) chunks after every consumer failed")
    }

    @Test func aConsumerThatStopsEarlyDoesNotHoldUpTheOthers() async throws {
        let results = await ByteFanOut.run(
            Chunks(count: 50, size: 10), capacity: 1,
            consumers: [
                { @Sendable stream in
                    _ = try await stream.next()
                    return [UInt8]()
                },
                { @Sendable stream in try await stream.readAll(limit: 1 << 20, context: "test") },
            ])
        #expect(try results[0].get() == [])
        #expect(try results[1].get() == Self.expected(count: 50, size: 10))
    }
}
