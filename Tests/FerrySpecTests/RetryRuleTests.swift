import Foundation
import FerrySpec
import Testing

/// The one rule of what is worth another try (``RetryRule``).
@Suite struct RetryRuleTests {
    @Test(arguments: [
        (200, false), (201, false), (301, false), (400, false), (401, false), (403, false),
        (404, false), (408, false), (409, false), (416, false), (429, true), (500, true),
        (501, false), (502, true), (503, true), (504, true), (505, true), (599, true), (600, false),
    ])
    func statusIsTransient(status: Int, transient: Bool) {
        #expect(RetryRule.isTransient(status: status) == transient)
    }

    static let now = Date(timeIntervalSince1970: 1_445_412_480)  // Wed, 21 Oct 2015 07:28:00 GMT

    @Test(arguments: [
        ("120", Duration?.some(.seconds(120))),
        (" 3 ", .some(.seconds(3))),
        ("0", .some(.zero)),
        ("-1", nil),
        ("", nil),
        ("soon", nil),
        ("Wed, 21 Oct 2015 07:28:30 GMT", .some(.seconds(30))),
        ("Wed, 21 Oct 2015 07:27:00 GMT", .some(.zero)),
    ])
    func retryAfterIsRead(value: String, wait: Duration?) {
        #expect(RetryRule.retryAfter(value, now: Self.now) == wait)
    }

    @Test func absentRetryAfterAsksForNothing() {
        #expect(RetryRule.retryAfter(nil) == nil)
    }
}
