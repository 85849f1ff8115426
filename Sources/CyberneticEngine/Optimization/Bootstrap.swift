/// A percentile bootstrap confidence interval for the difference of two p95s. The p95 is what
/// users feel in a slow tail, and it has no closed-form interval, so it is resampled.
public struct BootstrapInterval: Sendable, Equatable, Codable {
    public var lower: Double
    public var upper: Double

    /// `p95(b) − p95(a)` over `iterations` resamples of each arm, with a `level` (e.g. 0.95)
    /// two-sided interval. Deterministic for a given generator state.
    public static func p95Difference(_ a: [Double], _ b: [Double], iterations: Int = 1000, level: Double = 0.95,
                                     using generator: inout SeededGenerator) -> BootstrapInterval? {
        guard !a.isEmpty, !b.isEmpty, iterations > 1 else { return nil }
        var differences: [Double] = []
        differences.reserveCapacity(iterations)
        var resampleA = [Double](repeating: 0, count: a.count)
        var resampleB = [Double](repeating: 0, count: b.count)
        for _ in 0..<iterations {
            for i in resampleA.indices { resampleA[i] = a[Int.random(in: 0..<a.count, using: &generator)] }
            for i in resampleB.indices { resampleB[i] = b[Int.random(in: 0..<b.count, using: &generator)] }
            differences.append(Quantile.p95(resampleB) - Quantile.p95(resampleA))
        }
        differences.sort()
        let tail = (1 - level) / 2
        return BootstrapInterval(lower: Quantile.of(differences, tail), upper: Quantile.of(differences, 1 - tail))
    }
}
