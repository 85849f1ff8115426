import Benchmark
import CyberneticEngine
import Foundation

// A cache hit (key computed from declared inputs, memory tier) vs really spawning /bin/true,
// in the same run: the hit must be at least 20x faster.
//   Cache/hit /bin/true   vs   Cache/spawn /bin/true
// The remote tier (nginx on loopback: GET of the action result and its blob, SHA-256 verified)
// against a disk-tier hit of the same 4 KiB result, and against spawning /bin/true:
//   Cache/remote hit 4 KiB   vs   Cache/disk hit 4 KiB   and   Cache/spawn /bin/true

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

let remoteKey = CacheKey(digest: String(repeating: "ab", count: 32))
let remoteResult = CachedResult(exitCode: 0, stdout: Array(repeating: 0x78, count: 4096), stderr: [])
let remoteCache = CommandCache(settings: RemoteServer.settings(memoryEntries: 0), directory: nil)
let diskCache: CommandCache = {
    var settings = CacheSettings()
    settings.maxEntries = 0
    return CommandCache(settings: settings, directory: directory.appendingPathComponent("disk-only"))
}()

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

    Benchmark("Cache/remote hit 4 KiB", configuration: .init(setup: {
        try await RemoteServer.start()
        remoteCache.store(remoteKey, remoteResult)
        await remoteCache.flush()
    }, teardown: {
        await RemoteServer.stop()
    })) { benchmark in
        for _ in benchmark.scaledIterations {
            let hit = await remoteCache.fetch(remoteKey)
            precondition(hit?.tier == .remote && hit?.result.stdout.count == 4096, "expected a remote hit")
            blackHole(hit)
        }
    }

    Benchmark("Cache/disk hit 4 KiB", configuration: .init(setup: {
        diskCache.store(remoteKey, remoteResult)
        await diskCache.flush()
    })) { benchmark in
        for _ in benchmark.scaledIterations {
            let hit = await diskCache.fetch(remoteKey)
            precondition(hit?.tier == .disk, "expected a disk hit")
            blackHole(hit)
        }
    }
}
