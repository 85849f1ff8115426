/// Whether a window is clearly worse than the baseline window before a change. Thresholds are
/// relative plus an absolute margin, so noise on fast commands (1 ms vs 2 ms) is not a
/// "degradation" and a real slowdown (2 ms vs 100 ms) always is.
enum Degradation {
    static func reason(_ now: WindowSummary, baseline: WindowSummary) -> String? {
        if now.runP95 > baseline.runP95 * 1.5 + 10 {
            return "run p95 \(baseline.runP95.ms)→\(now.runP95.ms)"
        }
        if now.errorRate > baseline.errorRate + 0.1 {
            return "error rate \(percent(baseline.errorRate))→\(percent(now.errorRate))"
        }
        if now.saturation >= 0.5, baseline.saturation >= 0.5, now.throughput < baseline.throughput * 0.7 {
            return String(format: "throughput %.1f/s→%.1f/s", baseline.throughput, now.throughput)
        }
        for (kind, before) in baseline.runnerWaits where before.count >= 3 {
            if let after = now.runnerWaits[kind], after.count >= 3, after.p95 > before.p95 * 2 + 20 {
                return "runner wait p95 [\(kind)] \(before.p95.ms)→\(after.p95.ms)"
            }
        }
        return nil
    }

    static func percent(_ value: Double) -> String { "\(Int((value * 100).rounded()))%" }
}
