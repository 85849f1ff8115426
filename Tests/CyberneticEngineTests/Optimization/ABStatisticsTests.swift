@testable import CyberneticEngine
import Foundation
import Testing
import TestSupport

/// The A/B statistics against scipy, the reference every reader can check them with.
@Suite(.watchdog) struct ABStatisticsTests {
    /// Vectors with ties, unequal sizes, shifts and skew, generated from fixed seeds.
    static func vectors() -> [(x: [Double], y: [Double])] {
        var generator = SeededGenerator(seed: 42)
        var cases: [(x: [Double], y: [Double])] = []
        for (n1, n2, shift, rounding) in [(5, 7, 0.0, 1.0), (30, 30, 0.5, 10.0), (40, 55, 0.0, 100.0), (80, 60, 0.2, 1.0),
                                          (12, 9, 3.0, 1000.0), (200, 180, 0.05, 10.0), (3, 3, 0.0, 1.0)] {
            func draw(_ n: Int, _ offset: Double) -> [Double] {
                (0..<n).map { _ in
                    // Log-normal-ish latencies, rounded so ties happen.
                    let value = exp(Beta.normal(&generator) * 0.6 + 1 + offset)
                    return (value * rounding).rounded() / rounding
                }
            }
            cases.append((draw(n1, 0), draw(n2, shift)))
        }
        cases.append(([1, 1, 1, 2, 2, 3], [1, 2, 2, 3, 3, 3, 4]))
        return cases
    }

    @Test func mannWhitneyMatchesScipy() async throws {
        let cases = Self.vectors()
        let reference = try await Scipy.mannWhitney(cases)
        for (index, pair) in cases.enumerated() {
            let test = try #require(MannWhitney(pair.x, pair.y))
            #expect(abs(test.u - reference[index].u) < 1e-9, "case \(index): U \(test.u) vs scipy \(reference[index].u)")
            let p = reference[index].p
            #expect(abs(test.pValue - p) <= max(1e-12, p * 1e-9), "case \(index): p \(test.pValue) vs scipy \(p)")
        }
    }

    @Test func allTiedSamplesShowNoDifference() throws {
        let test = try #require(MannWhitney([2, 2, 2], [2, 2]))
        #expect(test.pValue == 1)
        #expect(MannWhitney([], [1]) == nil)
    }

    @Test func quantilesInterpolateLikeNumpy() {
        #expect(Quantile.of([1, 2, 3, 4], 0.5) == 2.5)
        #expect(abs(Quantile.p95([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) - 9.55) < 1e-12)
        #expect(Quantile.median([]) == 0)
    }

    @Test func bootstrapIntervalIsReproducibleAndCoversAPlantedShift() throws {
        var g1 = SeededGenerator(seed: 7), g2 = SeededGenerator(seed: 7), data = SeededGenerator(seed: 1)
        let a = (0..<60).map { _ in 100 + Double.random(in: 0..<20, using: &data) }
        let b = (0..<60).map { _ in 50 + Double.random(in: 0..<20, using: &data) }
        let first = try #require(BootstrapInterval.p95Difference(a, b, using: &g1))
        let second = try #require(BootstrapInterval.p95Difference(a, b, using: &g2))
        #expect(first == second)
        // The p95s differ by about -50: the interval lies below zero and contains it.
        #expect(first.upper < 0)
        #expect(first.lower < -40 && first.upper > -60)
    }

    @Test func abTestVerdicts() {
        var settings = ABSettings()
        settings.minSamples = 30
        var faster = ABTest(flag: .commandCache, settings: settings, seed: 3, startedAt: 0)
        var same = ABTest(flag: .memoryPool, settings: settings, seed: 3, startedAt: 0)
        var data = SeededGenerator(seed: 9)
        for _ in 0..<40 {
            faster.record(.a, latencyMs: 50 + Double.random(in: 0..<5, using: &data))
            faster.record(.b, latencyMs: 1 + Double.random(in: 0..<1, using: &data))
            same.record(.a, latencyMs: 5 + Double.random(in: 0..<1, using: &data))
            same.record(.b, latencyMs: 5 + Double.random(in: 0..<1, using: &data))
        }
        let better = faster.conclude(now: 1)
        #expect(better.verdict == "better")
        #expect(better.pValue < 0.01)
        #expect(better.medianB < better.medianA)
        #expect(same.conclude(now: 1).verdict == "no difference")
        var slower = ABTest(flag: .processPool, settings: settings, seed: 3, startedAt: 0)
        for i in 0..<40 {
            slower.record(.a, latencyMs: Double(i % 5))
            slower.record(.b, latencyMs: 20 + Double(i % 5))
        }
        #expect(slower.conclude(now: 1).verdict == "worse")
        var short = ABTest(flag: .processPool, settings: settings, seed: 3, startedAt: 0)
        short.record(.a, latencyMs: 1)
        short.record(.b, latencyMs: 2)
        #expect(!short.isDue(now: 1))
        #expect(short.isDue(now: settings.maxDuration.seconds))
        #expect(short.conclude(now: settings.maxDuration.seconds).verdict == "inconclusive")
    }

    @Test func armAssignmentIsSeededAndBalanced() {
        var one = ABTest(flag: .commandCache, settings: ABSettings(), seed: 11, startedAt: 0)
        var two = ABTest(flag: .commandCache, settings: ABSettings(), seed: 11, startedAt: 0)
        let first = (0..<1000).map { _ in one.assign() == .b }
        let second = (0..<1000).map { _ in two.assign() == .b }
        #expect(first == second)
        let onB = first.filter { $0 }.count
        #expect(onB > 400 && onB < 600)
    }
}

/// Runs scipy in a real Python. Without scipy the comparison cannot be made: in CI that is a
/// failure (`.ci/run` installs it), elsewhere a clear error too, so it is never silently skipped.
enum Scipy {
    struct Result: Decodable { var u: Double; var p: Double }

    static func mannWhitney(_ cases: [(x: [Double], y: [Double])]) async throws -> [Result] {
        let input = try JSONSerialization.data(withJSONObject: cases.map { ["x": $0.x, "y": $0.y] })
        let script = """
        import json, sys
        from scipy.stats import mannwhitneyu
        out = []
        for c in json.load(sys.stdin):
            r = mannwhitneyu(c["x"], c["y"], use_continuity=True, alternative="two-sided", method="asymptotic")
            out.append({"u": float(r.statistic), "p": float(r.pvalue)})
        print(json.dumps(out))
        """
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scipy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let inputFile = folder.appendingPathComponent("in.json"), outputFile = folder.appendingPathComponent("out.json")
        let errorFile = folder.appendingPathComponent("err.txt")
        try input.write(to: inputFile)
        let status = try await Spawned(["python3", "-c", script], stdin: inputFile.path, stdout: outputFile.path,
                                       stderr: errorFile.path).exit(timeout: .seconds(300))
        guard status == 0 else {
            throw ScipyUnavailable(message: (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "status \(status)")
        }
        let output = try Data(contentsOf: outputFile)
        return try JSONDecoder().decode([Result].self, from: output)
    }

    struct ScipyUnavailable: Error, CustomStringConvertible {
        var message: String
        var description: String { "python3 with scipy is needed to check the statistics (pip install scipy): \(message)" }
    }
}
