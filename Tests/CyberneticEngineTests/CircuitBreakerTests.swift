import CyberneticEngine
import Foundation
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

    @Test func afterTheCoolDownOneTrialDecides() async throws {
        let breaker = CircuitBreaker(failureThreshold: 1, coolDown: .milliseconds(50))
        #expect(breaker.recordFailure() == .open)
        try await Task.sleep(for: .milliseconds(150))
        #expect(breaker.allowsRequest, "the trial request")
        #expect(breaker.currentState == .halfOpen)
        #expect(!breaker.allowsRequest, "only one trial at a time")
        #expect(breaker.recordFailure() == .open, "a failed trial opens it again")
        #expect(!breaker.allowsRequest)
        try await Task.sleep(for: .milliseconds(150))
        #expect(breaker.allowsRequest)
        #expect(breaker.recordSuccess() == .closed)
        #expect(breaker.allowsRequest && breaker.allowsRequest)
        #expect(breaker.opens == 2)
    }

    @Test func aTrialWhoseOutcomeNeverArrivesIsReplaced() async throws {
        let breaker = CircuitBreaker(failureThreshold: 1, coolDown: .milliseconds(50))
        breaker.recordFailure()
        try await Task.sleep(for: .milliseconds(150))
        #expect(breaker.allowsRequest)
        try await Task.sleep(for: .milliseconds(150))
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
