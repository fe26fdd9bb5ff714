import FerryStreams
import Testing

/// The `--limit-rate` rule: a bucket of one second of bytes, refilled at the rate; a read that
/// overdraws it waits until the debt is paid.
@Suite struct RateBudgetTests {
    /// (reads as (bytes, at milliseconds), the wait after each, in milliseconds), at 1000 B/s.
    @Test(arguments: [
        ([(500, 0)], [0]),
        ([(1000, 0)], [0]),
        ([(1500, 0)], [500]),
        ([(1000, 0), (1000, 0)], [0, 1000]),
        ([(1000, 0), (500, 1000)], [0, 0]),
        ([(1000, 0), (1000, 500)], [0, 500]),
        ([(2000, 0), (1000, 5000)], [1000, 0]),
        ([(100, 0), (100, 10_000), (1000, 10_000)], [0, 0, 100]),
    ])
    func waits(_ reads: [(Int, Int)], _ waits: [Int]) {
        var budget = RateBudget(bytesPerSecond: 1000)
        let got = reads.map { bytes, at in budget.take(bytes, at: .milliseconds(at)) }
        #expect(got == waits.map { Duration.milliseconds($0) })
    }

    @Test func aLongRunAveragesToTheRate() {
        var budget = RateBudget(bytesPerSecond: 1 << 20)
        var now = Duration.zero
        for _ in 0..<100 { now += budget.take(256 << 10, at: now) }
        // 25 MiB at 1 MiB/s, the first second's burst free: 24 s of waiting.
        #expect(now == .seconds(24))
    }
}
