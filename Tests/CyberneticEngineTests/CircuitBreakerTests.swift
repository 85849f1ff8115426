import CyberneticEngine
import Foundation
import Synchronization
import Testing
import TestSupport

@Suite(.watchdog) struct CircuitBreakerTests {
    @Test func opensAfterConsecutiveFailuresOnly() {
        let breaker = CircuitBreaker(failureThreshold: 3, coolDown: .seconds(60))
        #expect(breaker.recordFailure() == nil)
        #expect(breaker.recordFailure() == nil)
        breaker.recordSuccess()
        #expect(breaker.recordFailure() == nil, "a success in between starts the count again")
        #expect(breaker.recordFailure() == nil)
        #expect(breaker.recordFailure() == .open)
        #expect(breaker.currentState == .open)
        #expect(!breaker.allowsRequest, "within the cool-down nothing is let through")
        #expect(breaker.opens == 1)
    }

    /// Time moves only when the test says so.
    final class ManualClock: Sendable {
        private let instant = Mutex(ContinuousClock.now)
        var now: ContinuousClock.Instant { instant.withLock { $0 } }
        func advance(by duration: Duration) { instant.withLock { $0 += duration } }
    }

    @Test func afterTheCoolDownOneTrialDecides() {
        let clock = ManualClock()
        let breaker = CircuitBreaker(failureThreshold: 1, coolDown: .seconds(30), clock: { clock.now })
        #expect(breaker.recordFailure() == .open)
        clock.advance(by: .seconds(29))
        #expect(!breaker.allowsRequest, "within the cool-down nothing is let through")
        clock.advance(by: .seconds(1))
        #expect(breaker.allowsRequest, "the trial request")
        #expect(breaker.currentState == .halfOpen)
        #expect(!breaker.allowsRequest, "only one trial at a time")
        #expect(breaker.recordFailure() == .open, "a failed trial opens it again")
        #expect(!breaker.allowsRequest)
        clock.advance(by: .seconds(30))
        #expect(breaker.allowsRequest)
        #expect(breaker.recordSuccess() == .closed)
        #expect(breaker.allowsRequest && breaker.allowsRequest)
        #expect(breaker.opens == 2)
    }

    @Test func aTrialWhoseOutcomeNeverArrivesIsReplaced() {
        let clock = ManualClock()
        let breaker = CircuitBreaker(failureThreshold: 1, coolDown: .seconds(30), clock: { clock.now })
        breaker.recordFailure()
        clock.advance(by: .seconds(30))
        #expect(breaker.allowsRequest)
        clock.advance(by: .seconds(29))
        #expect(!breaker.allowsRequest, "the trial still has time to report")
        clock.advance(by: .seconds(1))
        #expect(breaker.allowsRequest, "the circuit does not stay half-open forever")
    }

    @Test func aFailedHealthCheckTripsItAtOnce() {
        let breaker = CircuitBreaker(failureThreshold: 5, coolDown: .seconds(60))
        #expect(breaker.trip() == .open)
        #expect(!breaker.allowsRequest)
        #expect(breaker.trip() == nil, "already open")
        #expect(breaker.opens == 1)
    }
}
