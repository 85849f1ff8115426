/// One running A/B test of a flag: each run is assigned at random to A (flag off) or B (flag on)
/// and its latency recorded in that arm. It stops when both arms have `minSamples` runs, or
/// when `maxDuration` passes, and then gives a verdict from a Mann-Whitney U test with a
/// bootstrap interval of the p95 difference.
struct ABTest: Sendable {
    enum Arm: Sendable { case a, b }

    let flag: FeatureFlag
    let settings: ABSettings
    let seed: UInt64
    let startedAt: Double
    private(set) var a: [Double] = []
    private(set) var b: [Double] = []
    private var generator: SeededGenerator

    init(flag: FeatureFlag, settings: ABSettings, seed: UInt64, startedAt: Double) {
        self.flag = flag
        self.settings = settings
        self.seed = seed
        self.startedAt = startedAt
        generator = SeededGenerator(seed: seed)
    }

    /// The arm for the next run; the flag is on in arm B.
    mutating func assign() -> Arm { Bool.random(using: &generator) ? .b : .a }

    mutating func record(_ arm: Arm, latencyMs: Double) {
        switch arm {
        case .a: a.append(latencyMs)
        case .b: b.append(latencyMs)
        }
    }

    func isDue(now: Double) -> Bool {
        (a.count >= settings.minSamples && b.count >= settings.minSamples)
            || now - startedAt >= settings.maxDuration.seconds
    }

    /// The live figures while running.
    func progress(now: Double) -> ABTestResult {
        var result = ABTestResult(flag: flag.rawValue, verdict: "running", pValue: 1, nA: a.count, nB: b.count)
        result.medianA = Quantile.median(a)
        result.medianB = Quantile.median(b)
        result.p95A = Quantile.p95(a)
        result.p95B = Quantile.p95(b)
        result.startedMs = Int64(startedAt * 1000)
        result.durationMs = Int64((now - startedAt) * 1000)
        result.seed = seed
        return result
    }

    /// The verdict. Pure computation over the samples: the caller runs it outside the engine's lock.
    func conclude(now: Double, reason: String? = nil) -> ABTestResult {
        var result = progress(now: now)
        let enough = a.count >= settings.minSamples && b.count >= settings.minSamples
        result.reason = reason ?? (enough ? "\(settings.minSamples) runs per arm reached" : "time limit reached")
        guard let test = MannWhitney(b, a) else {
            result.verdict = "inconclusive"
            return result
        }
        result.pValue = test.pValue
        var bootstrap = SeededGenerator(seed: seed ^ 0xB007)
        result.p95Difference = BootstrapInterval.p95Difference(a, b, using: &bootstrap)
        if !enough {
            result.verdict = "inconclusive"
        } else if test.pValue < settings.alpha {
            // B's U counts pairs where B is slower: under half means B tends to be faster.
            result.verdict = test.effect < 0.5 ? "better" : "worse"
        } else {
            result.verdict = "no difference"
        }
        return result
    }
}
