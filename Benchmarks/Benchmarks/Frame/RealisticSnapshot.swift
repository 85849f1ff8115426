import CyberneticEngine
import CyberneticTUI
import Foundation

/// A snapshot shaped like a busy run of the demo workload: four phases, three pool classes,
/// three runtimes, two cache tiers, all four priorities queued, eight tasks, a full event log.
/// The engine builds snapshots under its own lock and has no public memberwise initialiser, so
/// the benchmark decodes one, as a remote front end would.
enum RealisticSnapshot {
    static func percentiles(_ base: Double) -> [String: Any] { ["p50": base, "p95": base * 4.1, "p99": base * 9.3] }

    static func phase(_ name: String, _ deps: [String], _ start: Int, _ duration: Int) -> [String: Any] {
        ["name": name, "dependsOn": deps, "state": "succeeded", "startMs": start, "durationMs": duration, "error": NSNull()]
    }

    static func memoryClass(_ name: String, size: Int, capacity: Int, inUse: Int, overflow: Int) -> [String: Any] {
        let slabs = (inUse + 31) / 32
        let utilisation = Double(inUse) / Double(max(1, slabs * 32))
        return ["name": name, "blockSize": size, "capacity": capacity, "inUse": inUse, "highWater": min(capacity, inUse + 20),
                "overflow": overflow, "slabs": slabs, "blocksPerSlab": 32, "utilisation": utilisation,
                "bytesRequested": inUse * size * 7 / 10, "bytesHeld": inUse * size]
    }

    static func runtime(_ name: String, warm: Int, busy: Int, spawned: Int, crashes: Int) -> [String: Any] {
        ["runtime": name, "warm": warm, "busy": busy, "spawned": spawned, "crashes": crashes]
    }

    static func tier(_ name: String, hits: Int, misses: Int, entries: Int, bytes: Int, evictions: Int, expirations: Int,
                     discarded: Int) -> [String: Any] {
        ["name": name, "hits": hits, "misses": misses, "entries": entries, "bytes": bytes, "evictions": evictions,
         "expirations": expirations, "discarded": discarded]
    }

    static func priority(_ name: String, depth: Int, waitBase: Double) -> [String: Any] {
        ["priority": name, "depth": depth, "maxDepth": depth * 3, "finished": depth * 40,
         "waitMs": percentiles(waitBase), "runMs": percentiles(40 + waitBase)]
    }

    static func task(_ name: String, index i: Int) -> [String: Any] {
        var task: [String: Any] = ["name": name, "command": "sh -c 'run \(name) --all --verbose'"]
        task["runs"] = 40 + i * 7
        task["failures"] = i % 3
        task["timeouts"] = 0
        task["lastExitCode"] = i % 3 == 0 ? 1 : 0
        task["cacheHits"] = i * 4
        task["running"] = i % 2
        task["lastDurationMs"] = 85 + i * 40
        task["totalDurationMs"] = 8000 + i * 300
        task["lastFailure"] = NSNull()
        return task
    }

    /// Mostly debug completions, an info every ninth, an error with stderr every 47th.
    static func event(_ i: Int, task: String, now: Double) -> [String: Any] {
        var event: [String: Any] = ["id": i + 1, "time": now - Double(500 - i) * 0.2]
        event["level"] = i % 9 == 0 ? "info" : i % 47 == 0 ? "error" : "debug"
        event["message"] = "task \(task) finished in \(i % 300) ms"
        if i % 47 == 0 { event["detail"] = "ld: symbol not found: _main\ncollect2: error: ld returned 1 exit status" }
        return event
    }

    static func revision(_ number: Int, now: Double) -> [String: Any] {
        let changes: [String: Bool] = ["npx_fast_path": number % 2 == 0]
        return ["number": number, "time": now, "by": "user", "changes": changes]
    }

    static func make() -> EngineSnapshot {
        let phases = [phase("core", [], 0, 12), phase("config", ["core"], 12, 304), phase("database", ["core"], 12, 611),
                      phase("services", ["config", "database"], 623, 205)]
        let classes = [memoryClass("small", size: 1024, capacity: 256, inUse: 181, overflow: 7),
                       memoryClass("medium", size: 10240, capacity: 128, inUse: 61, overflow: 0),
                       memoryClass("large", size: 65536, capacity: 64, inUse: 60, overflow: 3)]
        let runtimes = [runtime("sh", warm: 3, busy: 2, spawned: 412, crashes: 0),
                        runtime("node", warm: 2, busy: 3, spawned: 96, crashes: 1),
                        runtime("python3", warm: 3, busy: 0, spawned: 31, crashes: 0)]
        let tiers = [tier("memory", hits: 5120, misses: 1733, entries: 812, bytes: 6_400_000, evictions: 88, expirations: 41,
                          discarded: 0),
                     tier("disk", hits: 1201, misses: 532, entries: 2950, bytes: 48_000_000, evictions: 12, expirations: 0,
                          discarded: 2)]
        let priorities = [priority("low", depth: 14, waitBase: 3.2), priority("normal", depth: 37, waitBase: 1.4),
                          priority("high", depth: 9, waitBase: 0.6), priority("critical", depth: 2, waitBase: 0.2)]
        let names = ["lint", "test-shard-1", "test-shard-2", "build", "log-flood", "node-script", "python-script", "format"]
        let tasks = names.indices.map { task(names[$0], index: $0) }
        let now = Date(timeIntervalSinceReferenceDate: 820_000_000).timeIntervalSinceReferenceDate
        let events = (0..<500).map { event($0, task: names[$0 % names.count], now: now) }

        var totals: [String: Any] = [:]
        totals["submitted"] = 2400
        totals["completed"] = 2210
        totals["failed"] = 31
        totals["timedOut"] = 4
        totals["rejected"] = 12
        totals["cancelled"] = 0
        var startup: [String: Any] = ["state": "ready", "totalMs": 828, "phases": phases]
        startup["criticalPath"] = ["core", "database", "services"]
        var memory: [String: Any] = ["classes": classes, "pooled": true]
        memory["defragmentations"] = 3
        memory["slabsReleased"] = 5
        var cache: [String: Any] = ["hits": 5120, "misses": 1733, "tiers": tiers]
        cache["stored"] = 1650
        cache["capped"] = 4
        cache["hitRate"] = 5120.0 / 6853.0
        var queue: [String: Any] = ["depth": 62, "maxDepth": 410, "capacity": 10_000]
        queue["inFlight"] = 7
        queue["maxInFlight"] = 8
        queue["limit"] = 8
        queue["limiter"] = "aimd"
        queue["paused"] = false
        queue["throughputPerSecond"] = 48.5
        queue["waitMs"] = percentiles(1.1)
        queue["runMs"] = percentiles(41)
        queue["byPriority"] = priorities
        let flags: [String: Bool] = ["command_cache": true, "process_pool": true, "npx_fast_path": false, "memory_pool": true,
                                     "adaptive_concurrency": true, "self_optimization": true]
        var optimizations: [String: Any] = ["flags": flags, "revision": 4, "knownGoodRevision": 3]
        optimizations["revisions"] = (1...4).map { revision($0, now: now) }
        let abTest: [String: Any] = ["flag": "command_cache", "verdict": "better", "pValue": 0.0001, "nA": 40, "nB": 41]
        optimizations["abTests"] = [abTest]
        let decision: [String: Any] = ["action": "pool.min[node] 3->5", "reason": "p95 wait for a runner 40 ms", "outcome": "kept"]
        optimizations["decisions"] = [decision]

        var root: [String: Any] = ["sequence": 4812, "time": now, "state": "running", "uptimeMs": 481_200]
        root["source"] = "Examples/demo.toml"
        root["intakePaused"] = false
        root["totals"] = totals
        root["tasks"] = tasks
        root["startup"] = startup
        root["memory"] = memory
        root["processPool"] = ["runtimes": runtimes]
        root["cache"] = cache
        root["queue"] = queue
        root["optimizations"] = optimizations
        root["events"] = events
        root["healing"] = [] as [Any]
        do {
            let data = try JSONSerialization.data(withJSONObject: root)
            return try JSONDecoder().decode(EngineSnapshot.self, from: data)
        } catch {
            fatalError("the benchmark's snapshot no longer decodes: \(error)")
        }
    }

    /// Histories as after two minutes of snapshots, so every graph is full.
    static func histories(for snapshot: EngineSnapshot) -> Histories {
        var histories = Histories()
        var s = snapshot
        for i in 0..<480 {
            s.sequence = UInt64(i + 1)
            s.uptimeMs = Int64(i) * 250
            s.queue.depth = 40 + (i * 7) % 60
            s.queue.inFlight = i % 9
            s.cache.hits = i * 9
            s.cache.misses = i * 3
            histories.record(s)
        }
        return histories
    }
}
