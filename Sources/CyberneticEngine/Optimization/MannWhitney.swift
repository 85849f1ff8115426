import Foundation

/// The Mann-Whitney U test, two-sided, in the normal approximation with tie correction and
/// continuity correction: what `scipy.stats.mannwhitneyu(x, y, method="asymptotic")` computes.
/// Latencies are skewed and heavy-tailed, so a rank test is the honest comparison; a t-test
/// would be dominated by a few slow runs.
public struct MannWhitney: Sendable, Equatable {
    /// U of the first sample: how many (x, y) pairs have x > y, ties counting one half.
    public var u: Double
    public var z: Double
    public var pValue: Double
    /// P(x > y) + P(x = y) / 2: above 0.5 the first sample tends to be larger.
    public var effect: Double

    public init?(_ x: [Double], _ y: [Double]) {
        let n1 = Double(x.count), n2 = Double(y.count)
        guard n1 > 0, n2 > 0 else { return nil }
        let ranked = Self.ranks(x + y)
        let r1 = ranked.ranks[..<x.count].reduce(0, +)
        u = r1 - n1 * (n1 + 1) / 2
        effect = u / (n1 * n2)
        let n = n1 + n2
        let mu = n1 * n2 / 2
        let variance = n1 * n2 / 12 * ((n + 1) - ranked.tieTerm / (n * (n - 1)))
        guard variance > 0 else {
            // Every value tied: nothing distinguishes the samples.
            z = 0
            pValue = 1
            return
        }
        let big = max(u, n1 * n2 - u)
        z = (big - mu - 0.5) / variance.squareRoot()
        pValue = min(1, 2 * 0.5 * erfc(z / 2.0.squareRoot()))
    }

    /// Average ranks (1-based) and the tie term Σ(t³ − t) over groups of equal values.
    static func ranks(_ values: [Double]) -> (ranks: [Double], tieTerm: Double) {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var tieTerm = 0.0
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && values[order[end]] == values[order[start]] { end += 1 }
            let average = Double(start + end + 1) / 2
            for k in start..<end { ranks[order[k]] = average }
            let t = Double(end - start)
            tieTerm += t * t * t - t
            start = end
        }
        return (ranks, tieTerm)
    }
}
