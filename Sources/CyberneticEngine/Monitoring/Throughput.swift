/// Finished runs per second over the last few seconds, from a ring of one-second buckets.
struct Throughput: Sendable {
    private var buckets: [Int]
    private var currentSecond = 0

    init(seconds: Int = 5) {
        buckets = Array(repeating: 0, count: max(1, seconds))
    }

    mutating func record(at uptime: Double) {
        advance(to: Int(uptime))
        buckets[currentSecond % buckets.count] += 1
    }

    /// The rate over the complete seconds in the window (the current, partial second is left out).
    func perSecond(at uptime: Double) -> Double {
        var copy = self
        let now = Int(uptime)
        copy.advance(to: now)
        let complete = min(buckets.count - 1, now)
        guard complete > 0 else { return 0 }
        var total = 0
        for back in 1...complete { total += copy.buckets[(now - back) % buckets.count] }
        return Double(total) / Double(complete)
    }

    private mutating func advance(to second: Int) {
        guard second > currentSecond else { return }
        for s in (currentSecond + 1)...min(second, currentSecond + buckets.count) {
            buckets[s % buckets.count] = 0
        }
        currentSecond = second
    }
}
