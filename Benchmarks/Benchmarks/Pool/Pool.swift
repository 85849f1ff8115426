import Benchmark
import CyberneticEngine
import Foundation

// Warm runners against cold starts, in the same run:
//   Pool/warm node script      vs  Pool/cold node script      (target ≥ 5×)
//   Pool/npx fast path hello   vs  Pool/real npx hello        (target ≥ 10×)
// Run from the Benchmarks folder: the npx demo package is ../Examples/npx-demo.

let demo = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    .deletingLastPathComponent().appendingPathComponent("Examples/npx-demo").path
let script = demo + "/node_modules/hello/bin/hello.js"
let node = ExecutableLookup.find("node") ?? "node"

let pool: ProcessPool = {
    var settings = ProcessPoolSettings()
    settings.min = 2
    settings.max = 4
    return ProcessPool(settings: settings)
}()

func nodeRequest() -> CommandRequest {
    CommandRequest(argv: [node, script, "bench"], workingDirectory: demo)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(10), maxIterations: 60)

    Benchmark("Pool/cold node script") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(await CommandRunner.run(nodeRequest()).outcome) }
    }

    Benchmark("Pool/warm node script", configuration: .init(setup: {
        _ = pool.prewarm(runtimes: ["node"])
        try await Task.sleep(for: .seconds(2))
    })) { benchmark in
        for _ in benchmark.scaledIterations {
            guard let result = await pool.run(nodeRequest()) else { fatalError("the pool could not run node") }
            blackHole(result.outcome)
            // Give the replacement runner time to boot, as a workload's spacing would.
            benchmark.stopMeasurement()
            try? await Task.sleep(for: .milliseconds(400))
            benchmark.startMeasurement()
        }
    }

    Benchmark("Pool/real npx hello", configuration: .init(maxIterations: 20)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(await CommandRunner.run(CommandRequest(argv: ["npx", "--no-install", "hello", "bench"], workingDirectory: demo)).outcome)
        }
    }

    Benchmark("Pool/npx fast path hello", configuration: .init(setup: {
        _ = pool.prewarm(runtimes: ["node"])
        try await Task.sleep(for: .seconds(2))
    })) { benchmark in
        for _ in benchmark.scaledIterations {
            let argv = NpxResolver.resolve(argv: ["npx", "hello", "bench"], workingDirectory: demo) ?? []
            let result = await pool.run(CommandRequest(argv: argv, workingDirectory: demo))
            blackHole(result?.outcome)
            benchmark.stopMeasurement()
            try? await Task.sleep(for: .milliseconds(400))
            benchmark.startMeasurement()
        }
    }
}
