/// A bounded queue of chunks from one producing task to one consuming task, in order.
///
/// The producer waits while ``capacity`` chunks are queued, so memory stays bounded by
/// `capacity` chunks whatever the speed of either side. Either side can fail the channel; the
/// other then gets the error from its next (or current) wait. The producer can also wait for the
/// consumer to report that it finished, so that a result computed on the consumer side is known
/// before the producer lets its own stream end.
public final class ChunkChannel: Sendable {
    private struct State {
        var queue: [[UInt8]] = []
        var ended = false
        var failure: (any Error)?
        var consumerFinished = false
        var consumer: CheckedContinuation<[UInt8]?, any Error>?
        var producer: CheckedContinuation<Void, any Error>?
        var finishWaiter: CheckedContinuation<Void, any Error>?
    }

    /// How many chunks may wait in the queue before ``send(_:)`` suspends.
    public let capacity: Int
    private let state = Locked(State())

    /// - Parameter capacity: the most chunks queued at once (at least 1).
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Queues `chunk`, waiting while the queue is full.
    /// - Throws: the error the channel was failed with.
    public func send(_ chunk: [UInt8]) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            enum Step { case resume, fail(any Error), deliver(CheckedContinuation<[UInt8]?, any Error>), wait }
            let step: Step = state.withLock { s in
                if let failure = s.failure { return .fail(failure) }
                if s.consumerFinished { return .resume }
                if let consumer = s.consumer {
                    s.consumer = nil
                    return .deliver(consumer)
                }
                s.queue.append(chunk)
                if s.queue.count < capacity { return .resume }
                s.producer = continuation
                return .wait
            }
            switch step {
            case .resume: continuation.resume()
            case .fail(let error): continuation.resume(throwing: error)
            case .deliver(let consumer):
                consumer.resume(returning: chunk)
                continuation.resume()
            case .wait: break
            }
        }
    }

    /// The next chunk, or `nil` once the producer called ``finish()`` and the queue is empty.
    /// - Throws: the error the channel was failed with.
    public func receive() async throws -> [UInt8]? {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8]?, any Error>) in
            enum Step { case chunk([UInt8], CheckedContinuation<Void, any Error>?), end, fail(any Error), wait }
            let step: Step = state.withLock { s in
                if let failure = s.failure { return .fail(failure) }
                if !s.queue.isEmpty {
                    let chunk = s.queue.removeFirst()
                    let producer = s.producer
                    s.producer = nil
                    return .chunk(chunk, producer)
                }
                if s.ended { return .end }
                s.consumer = continuation
                return .wait
            }
            switch step {
            case .chunk(let chunk, let producer):
                producer?.resume()
                continuation.resume(returning: chunk)
            case .end: continuation.resume(returning: nil)
            case .fail(let error): continuation.resume(throwing: error)
            case .wait: break
            }
        }
    }

    /// Whether the producer called ``finish()``.
    public var isFinished: Bool { state.withLock { $0.ended } }

    /// Marks the end of the producer's chunks.
    public func finish() {
        let consumer: CheckedContinuation<[UInt8]?, any Error>? = state.withLock { s in
            s.ended = true
            guard s.queue.isEmpty else { return nil }
            defer { s.consumer = nil }
            return s.consumer
        }
        consumer?.resume(returning: nil)
    }

    /// Fails the channel: every wait on either side, now or later, throws `error` (the first
    /// failure wins).
    public func fail(_ error: any Error) {
        typealias Waiting = (
            failure: any Error, consumer: CheckedContinuation<[UInt8]?, any Error>?, producer: CheckedContinuation<Void, any Error>?,
            waiter: CheckedContinuation<Void, any Error>?
        )
        let (failure, consumer, producer, waiter): Waiting = state.withLock { s in
            if s.failure == nil { s.failure = error }
            defer {
                s.consumer = nil
                s.producer = nil
                s.finishWaiter = nil
                s.queue = []
            }
            return (s.failure ?? error, s.consumer, s.producer, s.finishWaiter)
        }
        consumer?.resume(throwing: failure)
        producer?.resume(throwing: failure)
        waiter?.resume(throwing: failure)
    }

    /// Called by the consumer when it has finished successfully.
    public func consumerDone() {
        let (producer, waiter): (CheckedContinuation<Void, any Error>?, CheckedContinuation<Void, any Error>?) = state.withLock { s in
            s.consumerFinished = true
            s.queue = []
            defer {
                s.producer = nil
                s.finishWaiter = nil
            }
            return (s.producer, s.finishWaiter)
        }
        producer?.resume()
        waiter?.resume()
    }

    /// Waits until the consumer called ``consumerDone()``.
    /// - Throws: the error the channel was failed with.
    public func waitForConsumer() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            enum Step { case done, fail(any Error), wait }
            let step: Step = state.withLock { s in
                if let failure = s.failure { return .fail(failure) }
                if s.consumerFinished { return .done }
                s.finishWaiter = continuation
                return .wait
            }
            switch step {
            case .done: continuation.resume()
            case .fail(let error): continuation.resume(throwing: error)
            case .wait: break
            }
        }
    }
}

/// The consuming end of a ``ChunkChannel`` as a ``ByteStream``.
public final class ChannelByteStream: ByteStream {
    private let channel: ChunkChannel

    /// Reads `channel` to its end.
    public init(_ channel: ChunkChannel) {
        self.channel = channel
    }

    public func next() async throws -> [UInt8]? {
        try await channel.receive()
    }
}
