/// Raw measurements since the optimizer last looked: what one window of the loop judges.
/// Samples are capped so a flood of runs costs bounded memory; past the cap, new samples
/// overwrite old ones in a ring, which keeps the window's recent shape.
struct MetricsWindow: Sendable {
    static let cap = 4096
    var startedAt: Double
    var runMs: [Double] = []
    var waitMs: [Double] = []
    var finished = 0
    /// Every run that ended in the window, including those begun before it: the throughput.
    var completions = 0
    var failures = 0
    var cacheHits = 0
    var cacheLookups = 0
    /// Ticks of the loop, and how many of them found runs waiting for a slot.
    var ticks = 0
    var saturatedTicks = 0

    init(startedAt: Double) {
        self.startedAt = startedAt
    }

    /// Runs that began before the window (under the previous setting) are left out: they would
    /// charge the old setting's cost to the new one.
    mutating func record(runMs run: Double, waitMs wait: Double, began: Double, failed: Bool, cacheHit: Bool?) {
        completions += 1
        guard began >= startedAt else { return }
        Self.append(run, to: &runMs, count: finished)
        Self.append(wait, to: &waitMs, count: finished)
        finished += 1
        if failed { failures += 1 }
        if let cacheHit {
            cacheLookups += 1
            if cacheHit { cacheHits += 1 }
        }
    }

    mutating func tick(saturated: Bool) {
        ticks += 1
        if saturated { saturatedTicks += 1 }
    }

    private static func append(_ value: Double, to samples: inout [Double], count: Int) {
        if samples.count < cap { samples.append(value) } else { samples[count % cap] = value }
    }
}

/// One window boiled down to the figures the loop compares. Built outside the engine's lock.
struct WindowSummary: Sendable, Equatable {
    var seconds: Double
    var runs: Int
    var throughput: Double
    var runP50: Double
    var runP95: Double
    var waitP95: Double
    var errorRate: Double
    var cacheHitRate: Double?
    /// Fraction of the window during which runs waited for a slot.
    var saturation: Double
    /// Per runtime kind: runs that asked for a warm runner, the p95 of their wait (ms), and how
    /// many per second waited noticeably (10 ms or more: an interpreter booting, not a hand-over).
    var runnerWaits: [String: (count: Int, p95: Double, slowPerSecond: Double)] = [:]
    /// Cache memory-tier expirations and evictions during the window.
    var cacheExpirations = 0
    var cacheEvictions = 0

    init(_ window: MetricsWindow, endedAt: Double, runnerWaits: [String: [Double]] = [:]) {
        seconds = max(0.001, endedAt - window.startedAt)
        runs = window.finished
        throughput = Double(window.completions) / seconds
        let runs = window.runMs.sorted()
        runP50 = Quantile.of(runs, 0.5)
        runP95 = Quantile.of(runs, 0.95)
        waitP95 = Quantile.p95(window.waitMs)
        errorRate = window.finished == 0 ? 0 : Double(window.failures) / Double(window.finished)
        cacheHitRate = window.cacheLookups == 0 ? nil : Double(window.cacheHits) / Double(window.cacheLookups)
        saturation = window.ticks == 0 ? 0 : Double(window.saturatedTicks) / Double(window.ticks)
        for (kind, samples) in runnerWaits where !samples.isEmpty {
            let slow = Double(samples.filter { $0 >= 10 }.count)
            self.runnerWaits[kind] = (samples.count, Quantile.p95(samples), slow / seconds)
        }
    }

    static func == (a: WindowSummary, b: WindowSummary) -> Bool {
        a.seconds == b.seconds && a.runs == b.runs && a.runP95 == b.runP95 && a.throughput == b.throughput
    }

    func runnerWaitP95(_ kind: String) -> Double? { runnerWaits[kind].map(\.p95) }

    var figures: WindowFigures {
        WindowFigures(runs: runs, runP50: runP50, runP95: runP95, throughput: (throughput * 10).rounded() / 10, errorRate: errorRate)
    }
}

extension Double {
    /// Milliseconds for messages: "41 ms", "2.5 ms".
    var ms: String { self >= 10 || self == rounded() ? "\(Int(rounded())) ms" : String(format: "%.1f ms", self) }
}
