import Benchmark
import CyberneticEngine
import Foundation

// A cache hit (key computed from declared inputs, memory tier) vs really spawning /bin/true,
// in the same run: the hit must be at least 20x faster.
//   Cache/hit /bin/true   vs   Cache/spawn /bin/true

let directory: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("cybernetic-bench-\(getpid())")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}()
let inputFile = directory.appendingPathComponent("input.txt")

let executor: Executor = {
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try? "benchmark input\n".write(to: inputFile, atomically: true, encoding: .utf8)
    var config = Configuration()
    config.cache.directory = directory.appendingPathComponent("cache").path
    return Executor(configuration: config, baseDirectory: directory.path)
}()

let request = CommandRequest(argv: ["/bin/true"], workingDirectory: directory.path)
let policy = Executor.CachePolicy(inputs: ["input.txt"])

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(5), maxIterations: 2000)

    Benchmark("Cache/spawn /bin/true") { benchmark in
        for _ in benchmark.scaledIterations {
            let result = await CommandRunner.run(request)
            precondition(result.outcome == .exited(0), "the baseline must really run: \(result.outcome)")
            blackHole(result)
        }
    }

    Benchmark("Cache/hit /bin/true", configuration: .init(setup: {
        _ = await executor.run(request, policy: policy)
    })) { benchmark in
        for _ in benchmark.scaledIterations {
            let outcome = await executor.run(request, policy: policy)
            precondition(outcome.path != .spawned, "expected a cache hit")
            blackHole(outcome)
        }
    }
}
