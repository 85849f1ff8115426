/// Quantiles by linear interpolation between order statistics (numpy's default), so figures
/// match what a reader gets from the same samples in Python.
enum Quantile {
    static func of(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let position = q * Double(sorted.count - 1)
        let lower = Int(position)
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }

    static func median(_ values: [Double]) -> Double { of(values.sorted(), 0.5) }
    static func p95(_ values: [Double]) -> Double { of(values.sorted(), 0.95) }
}
