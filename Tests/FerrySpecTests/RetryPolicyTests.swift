import FerrySpec
import Testing

@Suite struct RetryPolicyTests {
    @Test func delaysDoubleWithJitterAndStayBounded() {
        let policy = RetryPolicy(maximumAttempts: 4, initialDelay: .milliseconds(100), maximumDelay: .seconds(1))
        for attempt in 1...3 {
            let nominal = Duration.milliseconds(100) * (1 << (attempt - 1))
            let delay = policy.delay(afterAttempt: attempt)
            #expect(delay >= nominal * 0.75 && delay <= nominal * 1.25)
        }
        #expect(policy.delay(afterAttempt: 12) <= .seconds(1))
    }

    @Test func retryAfterWinsButIsCapped() {
        let policy = RetryPolicy(maximumDelay: .seconds(10))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(3)) == .seconds(3))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(3600)) == .seconds(10))
    }

    @Test func atLeastOneAttempt() {
        #expect(RetryPolicy(maximumAttempts: 0).maximumAttempts == 1)
    }
}
