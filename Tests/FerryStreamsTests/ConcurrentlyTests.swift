import FerryStreams
import Testing

/// The one bounded sliding window (``Swift/Sequence/mapConcurrently(limit:_:)``).
@Suite struct ConcurrentlyTests {
    struct Boom: Error, Equatable {}

    /// Counts tasks in flight and the most seen at once.
    final class Gauge: Sendable {
        private let state = Locked((now: 0, most: 0, started: 0))
        func enter() {
            state.withLock {
                $0.now += 1; $0.started += 1; $0.most = max($0.most, $0.now)
            }
        }
        func leave() { state.withLock { $0.now -= 1 } }
        var most: Int { state.withLock { $0.most } }
        var started: Int { state.withLock { $0.started } }
    }

    @Test(arguments: [(0, 1), (1, 1), (3, 3), (8, 8), (100, 20)])
    func resultsKeepTheOrderAndTheLimitHolds(limit: Int, expectedMost: Int) async throws {
        let gauge = Gauge()
        let items = Array(0..<20)
        let results = try await items.mapConcurrently(limit: limit) { item in
            gauge.enter()
            defer { gauge.leave() }
            // Later items finish first, so completion order is not the items' order.
            try await Task.sleep(for: .milliseconds(20 - item))
            return item * 2
        }
        #expect(results == items.map { $0 * 2 })
        #expect(gauge.most <= expectedMost)
        #expect(gauge.most == min(max(1, limit), items.count))
    }

    @Test func nothingToDoIsNoWork() async throws {
        let results = await [Int]().mapConcurrently(limit: 4) { $0 }
        #expect(results.isEmpty)
    }

    @Test func theFirstErrorStopsTheRest() async throws {
        let gauge = Gauge()
        await #expect(throws: Boom()) {
            try await Array(0..<100).forEachConcurrently(limit: 2) { item in
                gauge.enter()
                defer { gauge.leave() }
                if item == 3 { throw Boom() }
                try await Task.sleep(for: .milliseconds(5))
            }
        }
        // No new element starts after the failure (a couple may have been in flight).
        #expect(gauge.started < 10)
    }

    @Test func nonThrowingWorkGetsEveryResult() async {
        let results = await Array(0..<10).mapConcurrently(limit: 3) { (item: Int) -> String in "\(item)" }
        #expect(results == (0..<10).map { "\($0)" })
    }
}
