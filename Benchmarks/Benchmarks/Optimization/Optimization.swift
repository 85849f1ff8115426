import Benchmark
import CyberneticEngine

// Pairs, each measured in the same run (see ratios.py):
//   Loop/Engine 50 x true, loop off        vs  Loop/Engine 50 x true, loop on   (per-run cost of the loop:
//                                               flag evaluation, window recording, A/B arm; target ≤ 1.05)
//   AB/sort both arms 2x1000               vs  AB/Mann-Whitney U 2x1000          (the test next to the sort it needs)
// and, on its own, the bootstrap of the p95 difference at the default sample size.

let tasks = 50

func workload(loop: Bool) -> Configuration {
    var config = try! ConfigurationLoader.parse("""
    [queue]
    max_concurrency = 4
    [optimizer]
    interval = "100ms"
    min_samples = 4
    """)
    config.flags[.selfOptimization] = loop
    config.flags[.commandCache] = false
    config.optimizer.learningFile = "/tmp/cybernetic-benchmark-learning.json"
    var task = TaskSpec(name: "true", run: .argv(["/bin/true"]))
    task.count = tasks
    task.cache = false
    config.tasks = [task]
    return config
}

func runEngine(_ config: Configuration) async -> Int {
    let engine = Engine(configuration: config, snapshotsPerSecond: 10)
    await withTaskGroup(of: Void.self) { group in
        group.addTask { try? await engine.run() }
        group.addTask {
            while engine.snapshot().state != .idle { try? await Task.sleep(for: .milliseconds(1)) }
            engine.stop()
        }
    }
    return engine.snapshot().totals.completed
}

/// Two arms of 1000 latencies each, from a fixed seed, B shifted by 20 ms.
let (armA, armB): ([Double], [Double]) = {
    var generator = SeededGenerator(seed: 1)
    let a = (0..<1000).map { _ in Double(Int.random(in: 0..<500, using: &generator)) }
    let b = (0..<1000).map { _ in Double(Int.random(in: 20..<520, using: &generator)) }
    return (a, b)
}()

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(5), maxIterations: 200)

    Benchmark("Loop/Engine \(tasks) x true, loop off", configuration: .init(maxIterations: 60)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(await runEngine(workload(loop: false))) }
    }

    Benchmark("Loop/Engine \(tasks) x true, loop on", configuration: .init(maxIterations: 60)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(await runEngine(workload(loop: true))) }
    }

    Benchmark("AB/sort both arms 2x1000") { benchmark in
        for _ in benchmark.scaledIterations { blackHole((armA + armB).sorted()) }
    }

    Benchmark("AB/Mann-Whitney U 2x1000") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(MannWhitney(armA, armB)) }
    }

    Benchmark("AB/bootstrap p95 difference 2x40, 1000 resamples") { benchmark in
        let a = Array(armA.prefix(40)), b = Array(armB.prefix(40))
        for _ in benchmark.scaledIterations {
            var g = SeededGenerator(seed: 2)
            blackHole(BootstrapInterval.p95Difference(a, b, using: &g))
        }
    }
}
