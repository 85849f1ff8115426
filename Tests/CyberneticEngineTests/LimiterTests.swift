import CyberneticEngine
import Testing
import TestSupport

@Suite(.watchdog) struct LimiterTests {
    @Test func aimdBacksOffByTenPercentOnADropAndGrowsByOneWhenHalfUsed() {
        var limit = AIMDLimit(initial: 20, min: 2, max: 30)
        limit.onSample(rtt: .milliseconds(10), inFlight: 10, dropped: false)   // 10 >= 20/2: grow
        #expect(limit.limit == 21)
        limit.onSample(rtt: .milliseconds(10), inFlight: 5, dropped: false)    // 5 < 21/2: app-limited, hold
        #expect(limit.limit == 21)
        limit.onSample(rtt: .milliseconds(10), inFlight: 21, dropped: true)    // 21 × 0.9 = 18.9 → 18
        #expect(limit.limit == 18)
        for _ in 0..<40 { limit.onSample(rtt: .milliseconds(10), inFlight: 30, dropped: false) }
        #expect(limit.limit == 30, "capped at max")
        for _ in 0..<100 { limit.onSample(rtt: .milliseconds(10), inFlight: 30, dropped: true) }
        #expect(limit.limit == 2, "floored at min")
    }

    @Test func aimdFollowsTheFormulaStepByStep() {
        var limit = AIMDLimit(initial: 100, min: 1, max: 100)
        var expected = 100
        for step in 0..<30 {
            let drop = step % 3 == 0
            limit.onSample(rtt: .milliseconds(5), inFlight: 100, dropped: drop)
            expected = drop ? max(1, Int(Double(expected) * 0.9)) : min(100, expected + 1)
            #expect(limit.limit == expected, "step \(step)")
        }
    }

    @Test func gradient2GrowsWhileLatencyHolds() {
        var limit = Gradient2Limit(initial: 10, min: 1, max: 200)
        var previous = limit.limit
        for _ in 0..<50 {
            limit.onSample(rtt: .milliseconds(20), inFlight: limit.limit, dropped: false)
            #expect(limit.limit >= previous)
            previous = limit.limit
        }
        #expect(limit.limit > 30, "steady latency lets the limit grow by √limit per step (smoothed)")
    }

    @Test func gradient2ShrinksWhenShortLatencyRisesAboveTheLongAverage() {
        var limit = Gradient2Limit(initial: 50, min: 1, max: 200)
        for _ in 0..<20 { limit.onSample(rtt: .milliseconds(10), inFlight: 200, dropped: false) }
        let before = limit.estimate
        // Latency quadruples: gradient = max(0.5, 1.5 × long/short) = 0.5 (clamped)...
        let long = limit.longRtt
        limit.onSample(rtt: .milliseconds(40), inFlight: 200, dropped: false)
        let newLong = long + (0.040 - long) * (2 / 601)
        let gradient = max(0.5, min(1.0, 1.5 * newLong / 0.040))
        let target = before * gradient + before.squareRoot()
        let expected = before * 0.8 + target * 0.2
        #expect(abs(limit.estimate - expected) < 1e-6)
        #expect(limit.estimate < before)
        for _ in 0..<30 { limit.onSample(rtt: .milliseconds(40), inFlight: 200, dropped: false) }
        #expect(limit.limit < Int(before) / 2)
    }

    @Test func gradient2IgnoresAppLimitedSamples() {
        var limit = Gradient2Limit(initial: 40, min: 1, max: 200)
        for _ in 0..<20 { limit.onSample(rtt: .milliseconds(100), inFlight: 3, dropped: false) }
        #expect(limit.limit == 40)
    }

    @Test func scalingSetsTheLimitWithinBounds() {
        var aimd = AIMDLimit(initial: 10, min: 2, max: 50)
        aimd.scale(to: 1000)
        #expect(aimd.limit == 50)
        aimd.scale(to: 0)
        #expect(aimd.limit == 2)
        var fixed = StaticLimit(limit: 4)
        fixed.onSample(rtt: .seconds(10), inFlight: 4, dropped: true)
        #expect(fixed.limit == 4)
        fixed.scale(to: 9)
        #expect(fixed.limit == 9)
    }
}
