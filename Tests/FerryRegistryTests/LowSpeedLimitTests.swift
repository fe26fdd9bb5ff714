@testable import FerryRegistry
import FerrySpec
import Testing

/// The pure parts of the bounds a hostile registry meets: the low-speed watch, the list bounds,
/// their environment variables, tokens a header cannot carry, and JSON nested too deeply.
@Suite struct LowSpeedLimitTests {
    /// (bytes per arrival, seconds between arrivals, arrivals) → whether the watch complains.
    @Test(arguments: [
        (1, 1.0, 40, true),  // 1 byte/s, hostile: cut off after the first 30 s window
        (0, 5.0, 8, true),  // empty chunks only: nothing arrives
        (65_536, 0.01, 5_000, false),  // a fast download never trips it
        (1_100, 1.0, 100, false),  // just above 1 KiB/s over every window
        (900, 1.0, 40, true),  // just under
    ])
    func watchCutsOffSlowBodies(_ bytes: Int, _ interval: Double, _ arrivals: Int, _ complains: Bool) {
        let start = ContinuousClock.now
        var watch = ThroughputWatch(LowSpeedLimit(bytesPerSecond: 1024, window: .seconds(30)), start: start)
        var complained = false
        for i in 1...arrivals {
            let now = start + .milliseconds(Int64(Double(i) * interval * 1000))
            if watch.record(bytes, now: now) != nil {
                complained = true
                break
            }
        }
        #expect(complained == complains)
    }

    @Test func complaintNamesTheLimitAndItsVariables() {
        let start = ContinuousClock.now
        var watch = ThroughputWatch(LowSpeedLimit(bytesPerSecond: 2048, window: .seconds(2)), start: start)
        let received = watch.record(10, now: start + .seconds(3))
        #expect(received == 10)
        let text = watch.complaint(received: 10)
        #expect(text.contains("only 10 bytes arrived in 2 s"))
        #expect(text.contains("2048 bytes/s"))
        #expect(text.contains("FERRY_LOW_SPEED_TIME"))
    }

    @Test func limitsComeFromTheEnvironment() throws {
        let limit = try LowSpeedLimit(environment: ["FERRY_LOW_SPEED_LIMIT": "100", "FERRY_LOW_SPEED_TIME": "1.5"])
        #expect(limit == LowSpeedLimit(bytesPerSecond: 100, window: .milliseconds(1500)))
        #expect(try LowSpeedLimit(environment: [:]) == LowSpeedLimit())
        #expect(throws: RegistryError.self) { try LowSpeedLimit(environment: ["FERRY_LOW_SPEED_TIME": "soon"]) }
        let lists = try ListLimits(environment: ["FERRY_LIST_MAX_PAGES": "3"])
        #expect(lists.maximumPages == 3 && lists.maximumEntries == ListLimits().maximumEntries)
        #expect(throws: RegistryError.self) { try ListLimits(environment: ["FERRY_LIST_MAX_ENTRIES": "0"]) }
    }

    @Test func listBoundStopsPagesAndEntries() throws {
        var pages = ListBound(limits: ListLimits(maximumPages: 2, maximumEntries: 10), registry: "r", context: "tags of r/a")
        try pages.countPage()
        try pages.countPage()
        #expect(throws: RegistryError.self) { try pages.countPage() }
        var entries = ListBound(limits: ListLimits(maximumPages: 100, maximumEntries: 10), registry: "r", context: "tags of r/a")
        try entries.countPage()
        try entries.count(entries: 10)
        do {
            try entries.count(entries: 1)
            Issue.record("11 entries passed a bound of 10")
        } catch {
            #expect(error.message.contains("more than 10 entries"))
            #expect(error.message.contains("FERRY_LIST_MAX_ENTRIES"))
        }
    }

    @Test(arguments: [
        ("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", true),
        ("abc-._~+/=", true),
        ("abc\r\nX-Injected: 1", false),
        ("abc def", false),
        ("tok\u{1b}[31m", false),
        ("tökén", false),
        ("", false),
    ])
    func tokensAHeaderCannotCarryAreRefused(_ token: String, _ sendable: Bool) {
        #expect(TokenResponse.isSendable(token) == sendable)
    }

    @Test func deepNestingIsNamed() {
        let deep = Array(String(repeating: "[", count: 600).utf8) + Array(String(repeating: "]", count: 600).utf8)
        #expect(JSONNesting.depth(of: deep) == 600)
        #expect(JSONNesting.complaint(deep)?.contains("nested too deeply") == true)
        // Brackets inside strings do not count.
        #expect(JSONNesting.depth(of: Array(#"{"a":"[[[[\"[[","b":[1]}"#.utf8)) == 2)
        do {
            _ = try JSONDocument.decode(ImageIndex.self, from: deep, context: "index x")
            Issue.record("a 600-deep array decoded")
        } catch {
            #expect(error.message.contains("nested too deeply"))
        }
    }
}
