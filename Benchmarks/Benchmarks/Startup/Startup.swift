import Benchmark
import CyberneticEngine
import Foundation

// Coordinator overhead: a 50-phase random DAG of short sleeps. The metric that matters is the
// ratio total start-up time / critical path (the sum of sleeps along the longest chain), which
// the benchmark records as a custom metric (×1000); target ≤ 1.02.

struct DAG {
    var toml = ""
    var criticalPathMs = 0

    init(phases: Int, seed: UInt64) {
        var rng = seed
        func next() -> UInt64 { rng = rng &* 6364136223846793005 &+ 1442695040888963407; return rng >> 33 }
        var longest: [Int] = []
        for i in 0..<phases {
            let sleep = 20 + Int(next() % 60)
            let deps = i == 0 ? [] : (0..<Int(next() % 3)).map { _ in Int(next() % UInt64(i)) }
            let unique = Array(Set(deps)).sorted()
            longest.append(sleep + (unique.map { longest[$0] }.max() ?? 0))
            toml += "[[phase]]\nname = \"p\(i)\"\nrun = [\"sleep\", \"\(Double(sleep) / 1000)\"]\n"
            if !unique.isEmpty { toml += "depends_on = [" + unique.map { "\"p\($0)\"" }.joined(separator: ", ") + "]\n" }
        }
        criticalPathMs = longest.max() ?? 0
    }
}

let dag = DAG(phases: 50, seed: 42)
let overhead = BenchmarkMetric.custom("startup / critical path ×1000", polarity: .prefersSmaller, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    Benchmark("Startup/50-phase random DAG", configuration: .init(metrics: [.wallClock, .throughput, overhead], maxDuration: .seconds(20), maxIterations: 10)) { benchmark in
        for _ in benchmark.scaledIterations {
            var config = try ConfigurationLoader.parse(dag.toml, source: "benchmark")
            config.flags[.processPool] = false
            let engine = Engine(configuration: config)
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await engine.run() }
                group.addTask {
                    while engine.snapshot().state == .starting { try? await Task.sleep(for: .milliseconds(2)) }
                    engine.stop()
                }
            }
            let phases = engine.snapshot().startup.phases.filter { !$0.builtIn }
            let span = (phases.compactMap(\.endMs).max() ?? 0) - (phases.compactMap(\.startMs).min() ?? 0)
            benchmark.measurement(overhead, Int(Double(span) / Double(dag.criticalPathMs) * 1000))
        }
    }
}
