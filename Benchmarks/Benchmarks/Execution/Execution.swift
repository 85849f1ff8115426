import Benchmark
import CyberneticEngine
import Foundation
#if canImport(Glibc)
import Glibc
#endif

// Each Cybernetic path is measured next to the baseline it must be compared with, in the same run:
//   Spawn/raw posix_spawn       vs  Spawn/CommandRunner          (cost of our process handling per command)
//   Workload/bare TaskGroup     vs  Workload/Engine              (cost of the engine per task run)
// `Benchmarks/ratios.py` turns a run into ratios; absolute numbers depend on the machine.

/// The baseline: posix_spawn + waitpid, no pipes, no process group, nothing captured.
func rawSpawn(_ argv: [String]) -> Int32 {
    var pid: pid_t = 0
    let cArgs = argv.map { strdup($0) } + [nil]
    defer { cArgs.forEach { free($0) } }
    guard posix_spawnp(&pid, argv[0], nil, nil, cArgs, environ) == 0 else { return -1 }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return status
}

let shTrue = ["/bin/sh", "-c", "true"]
let tasksPerRun = 50

let workload: Configuration = {
    var config = try! ConfigurationLoader.parse("""
    [queue]
    max_concurrency = 4
    [[task]]
    name = "true"
    run = ["/bin/true"]
    count = \(tasksPerRun)
    """)
    config.source = "benchmark"
    return config
}()

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
                                           maxDuration: .seconds(5), maxIterations: 2000)

    Benchmark("Spawn/raw posix_spawn sh -c true") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(rawSpawn(shTrue)) }
    }

    Benchmark("Spawn/CommandRunner sh -c true") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(await CommandRunner.run(CommandRequest(argv: shTrue)).outcome)
        }
    }

    Benchmark("Workload/bare TaskGroup \(tasksPerRun) x true", configuration: .init(maxIterations: 100)) { benchmark in
        for _ in benchmark.scaledIterations {
            await withTaskGroup(of: Int32.self) { group in
                var next = 0
                for _ in 0..<4 { group.addTask { rawSpawn(["/bin/true"]) }; next += 1 }
                for await status in group {
                    blackHole(status)
                    if next < tasksPerRun { group.addTask { rawSpawn(["/bin/true"]) }; next += 1 }
                }
            }
        }
    }

    Benchmark("Workload/Engine \(tasksPerRun) x true", configuration: .init(maxIterations: 100)) { benchmark in
        for _ in benchmark.scaledIterations {
            let engine = Engine(configuration: workload, snapshotsPerSecond: 10)
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await engine.run() }
                group.addTask {
                    while engine.snapshot().state != .idle { try? await Task.sleep(for: .milliseconds(1)) }
                    engine.stop()
                }
            }
            blackHole(engine.snapshot().totals.completed)
        }
    }

    Benchmark("Config/parse the demo workload") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try DemoWorkload.configuration()) }
    }
}
