import Benchmark
import CyberneticEngine

// Coordinator overhead on a 50-phase random DAG of short sleeps (target ≤ 1.02).
//
// Every iteration boots the DAG twice, in alternating order: through the engine's start-up
// coordinator, and through a bare dependency-ordered TaskGroup that runs the very same commands with
// the same CommandRunner and starts a phase the moment its dependencies finished. Both spans run
// from the first phase's start to the last phase's end, so what is left in
//   "coordinator / bare DAG ×1000"
// is coordination alone: bookkeeping, events, snapshots, the engine's own phases around it.
// "startup / critical path ×1000" divides by the sum of sleeps along the longest chain instead,
// so it also holds the cost of spawning 50 processes on this machine (no scheduler can remove it).

struct DAG: Sendable {
    struct Phase: Sendable {
        var name: String
        var sleepMs: Int
        var dependsOn: [Int]
    }

    var phases: [Phase] = []
    var toml = ""
    var criticalPathMs = 0

    init(phases count: Int, seed: UInt64) {
        var rng = seed
        func next() -> UInt64 { rng = rng &* 6364136223846793005 &+ 1442695040888963407; return rng >> 33 }
        var longest: [Int] = []
        for i in 0..<count {
            let sleep = 20 + Int(next() % 60)
            let deps = i == 0 ? [] : (0..<Int(next() % 3)).map { _ in Int(next() % UInt64(i)) }
            let unique = Array(Set(deps)).sorted()
            longest.append(sleep + (unique.map { longest[$0] }.max() ?? 0))
            phases.append(Phase(name: "p\(i)", sleepMs: sleep, dependsOn: unique))
            toml += "[[phase]]\nname = \"p\(i)\"\nrun = [\"sleep\", \"\(Double(sleep) / 1000)\"]\n"
            if !unique.isEmpty { toml += "depends_on = [" + unique.map { "\"p\($0)\"" }.joined(separator: ", ") + "]\n" }
        }
        criticalPathMs = longest.max() ?? 0
    }

    func argv(_ phase: Phase) -> [String] { ["sleep", "\(Double(phase.sleepMs) / 1000)"] }
}

let dag = DAG(phases: 50, seed: 42)
let overhead = BenchmarkMetric.custom("coordinator / bare DAG ×1000", polarity: .prefersSmaller, useScalingFactor: false)
let versusPath = BenchmarkMetric.custom("startup / critical path ×1000", polarity: .prefersSmaller, useScalingFactor: false)

/// The user phases' span under the engine's coordinator, in milliseconds.
func coordinatorSpan() async throws -> Double {
    var config = try ConfigurationLoader.parse(dag.toml, source: "benchmark")
    config.flags[.processPool] = false
    let engine = Engine(configuration: config)
    await withTaskGroup(of: Void.self) { group in
        group.addTask { try? await engine.run() }
        group.addTask {
            // Watch as a front end does (the snapshot stream), not by building snapshots in a tight loop.
            for await snapshot in engine.snapshots() where snapshot.state != .starting { break }
            engine.stop()
        }
    }
    let phases = engine.snapshot().startup.phases.filter { !$0.builtIn }
    precondition(phases.allSatisfy { $0.state == .succeeded }, "every phase must succeed")
    return Double((phases.compactMap(\.endMs).max() ?? 0) - (phases.compactMap(\.startMs).min() ?? 0))
}

/// The same phases and commands with the least coordination there is: a task group that starts a
/// phase as soon as its last dependency returned.
func bareSpan() async -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    var done = Set<Int>()
    var launched = Set<Int>()
    await withTaskGroup(of: Int.self) { group in
        func launchReady() {
            for (index, phase) in dag.phases.enumerated()
            where !launched.contains(index) && phase.dependsOn.allSatisfy(done.contains) {
                launched.insert(index)
                group.addTask {
                    let result = await CommandRunner.run(CommandRequest(argv: dag.argv(phase), timeout: .seconds(30)))
                    precondition(result.outcome.succeeded, "phase \(phase.name) failed: \(result.outcome.summary)")
                    return index
                }
            }
        }
        launchReady()
        for await index in group {
            done.insert(index)
            launchReady()
        }
    }
    let span = clock.now - start
    return Double(span.components.seconds) * 1000 + Double(span.components.attoseconds) / 1e15
}

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(metrics: [.wallClock, .throughput, overhead, versusPath], maxDuration: .seconds(60), maxIterations: 12)
    Benchmark("Startup/50-phase random DAG", configuration: configuration) { benchmark in
        for iteration in benchmark.scaledIterations {
            // Alternate which one goes first, so a machine that gets busier or quieter hurts both alike.
            let coordinatorFirst = iteration % 2 == 0
            let first = coordinatorFirst ? try await coordinatorSpan() : await bareSpan()
            let second = coordinatorFirst ? await bareSpan() : try await coordinatorSpan()
            let (coordinator, bare) = coordinatorFirst ? (first, second) : (second, first)
            benchmark.measurement(overhead, Int(coordinator / bare * 1000))
            benchmark.measurement(versusPath, Int(coordinator / Double(dag.criticalPathMs) * 1000))
        }
    }
}
