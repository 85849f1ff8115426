import CyberneticEngine
import CyberneticTUI
import Foundation

/// A snapshot shaped like a busy run of the demo workload: four phases, three pool classes,
/// three runtimes, two cache tiers, all four priorities queued, eight tasks, a full event log.
/// The engine builds snapshots under its own lock and has no public memberwise initialiser, so
/// the benchmark decodes one, as a remote front end would.
enum RealisticSnapshot {
    static func make() -> EngineSnapshot {
        func percentiles(_ base: Double) -> [String: Any] { ["p50": base, "p95": base * 4.1, "p99": base * 9.3] }
        let phases: [[String: Any]] = [("core", [String](), 0, 12), ("config", ["core"], 12, 304), ("database", ["core"], 12, 611),
                                       ("services", ["config", "database"], 623, 205)].map { name, deps, start, duration in
            ["name": name, "dependsOn": deps, "state": "succeeded", "startMs": start, "durationMs": duration, "error": NSNull()]
        }
        let classes: [[String: Any]] = [("small", 1024, 256, 181, 7), ("medium", 10240, 128, 61, 0), ("large", 65536, 64, 60, 3)]
            .map { name, size, capacity, inUse, overflow in
                ["name": name, "blockSize": size, "capacity": capacity, "inUse": inUse, "highWater": min(capacity, inUse + 20),
                 "overflow": overflow, "slabs": (inUse + 31) / 32, "blocksPerSlab": 32,
                 "utilisation": Double(inUse) / Double(((inUse + 31) / 32) * 32),
                 "bytesRequested": inUse * size * 7 / 10, "bytesHeld": inUse * size]
            }
        let runtimes: [[String: Any]] = [("sh", 3, 2, 412, 0), ("node", 2, 3, 96, 1), ("python3", 3, 0, 31, 0)].map {
            ["runtime": $0.0, "warm": $0.1, "busy": $0.2, "spawned": $0.3, "crashes": $0.4]
        }
        let tiers: [[String: Any]] = [("memory", 5120, 1733, 812, 6_400_000, 88, 41, 0), ("disk", 1201, 532, 2950, 48_000_000, 12, 0, 2)]
            .map { ["name": $0.0, "hits": $0.1, "misses": $0.2, "entries": $0.3, "bytes": $0.4, "evictions": $0.5,
                    "expirations": $0.6, "discarded": $0.7] }
        let priorities: [[String: Any]] = [("low", 14, 3.2), ("normal", 37, 1.4), ("high", 9, 0.6), ("critical", 2, 0.2)]
            .map { ["priority": $0.0, "depth": $0.1, "maxDepth": $0.1 * 3, "finished": $0.1 * 40,
                    "waitMs": percentiles($0.2), "runMs": percentiles(40 + $0.2)] }
        let names = ["lint", "test-shard-1", "test-shard-2", "build", "log-flood", "node-script", "python-script", "format"]
        let tasks: [[String: Any]] = names.enumerated().map { i, name in
            ["name": name, "command": "sh -c 'run \(name) --all --verbose'", "runs": 40 + i * 7, "failures": i % 3, "timeouts": 0,
             "lastExitCode": i % 3 == 0 ? 1 : 0, "cacheHits": i * 4, "running": i % 2, "lastDurationMs": 85 + i * 40,
             "totalDurationMs": 8000 + i * 300, "lastFailure": NSNull()]
        }
        let now = Date(timeIntervalSinceReferenceDate: 820_000_000)
        let events: [[String: Any]] = (0..<500).map { i in
            var event: [String: Any] = ["id": i + 1, "time": now.timeIntervalSinceReferenceDate - Double(500 - i) * 0.2,
                                        "level": i % 9 == 0 ? "info" : i % 47 == 0 ? "error" : "debug",
                                        "message": "task \(names[i % names.count]) finished in \(i % 300) ms"]
            if i % 47 == 0 { event["detail"] = "ld: symbol not found: _main\ncollect2: error: ld returned 1 exit status" }
            return event
        }
        let root: [String: Any] = [
            "sequence": 4812, "time": now.timeIntervalSinceReferenceDate, "state": "running", "uptimeMs": 481_200,
            "source": "Examples/demo.toml", "intakePaused": false,
            "totals": ["submitted": 2400, "completed": 2210, "failed": 31, "timedOut": 4, "rejected": 12, "cancelled": 0],
            "tasks": tasks,
            "startup": ["state": "ready", "totalMs": 828, "criticalPath": ["core", "database", "services"], "phases": phases],
            "memory": ["classes": classes, "pooled": true, "defragmentations": 3, "slabsReleased": 5],
            "processPool": ["runtimes": runtimes],
            "cache": ["hits": 5120, "misses": 1733, "stored": 1650, "capped": 4, "hitRate": 5120.0 / 6853, "tiers": tiers],
            "queue": ["depth": 62, "maxDepth": 410, "capacity": 10_000, "inFlight": 7, "maxInFlight": 8, "limit": 8,
                      "limiter": "aimd", "paused": false, "throughputPerSecond": 48.5, "waitMs": percentiles(1.1),
                      "runMs": percentiles(41), "byPriority": priorities],
            "optimizations": ["flags": ["command_cache": true, "process_pool": true, "npx_fast_path": false, "memory_pool": true,
                                        "adaptive_concurrency": true, "self_optimization": true],
                              "revision": 4, "knownGoodRevision": 3,
                              "revisions": (1...4).map { ["number": $0, "time": now.timeIntervalSinceReferenceDate, "by": "user",
                                                          "changes": ["npx_fast_path": $0 % 2 == 0]] },
                              "abTests": [["flag": "command_cache", "verdict": "better", "pValue": 0.0001, "nA": 40, "nB": 41]],
                              "decisions": [["action": "pool.min[node] 3->5", "reason": "p95 wait for a runner 40 ms",
                                             "outcome": "kept"]]],
            "events": events,
        ]
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
