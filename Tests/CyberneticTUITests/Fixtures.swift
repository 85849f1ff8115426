@testable import CyberneticEngine
import CyberneticTUI
import Foundation

/// A hand-built snapshot with a number in every pane, so tests can look for each one.
enum Fixture {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func snapshot(events: [EngineEvent]? = nil, tasks: [TaskStats]? = nil) -> EngineSnapshot {
        var startup = StartupSnapshot()
        startup.state = .ready
        startup.totalMs = 1234
        startup.criticalPath = ["core", "database"]
        startup.phases = [
            phase("core", [], .succeeded, 0, 12),
            phase("database", ["core"], .succeeded, 12, 612),
            phase("cache-warm", ["core"], .failed, 12, 300, error: "exit 3: warm-up failed"),
        ]
        var memory = MemorySnapshot()
        var small = MemoryClassStats(name: "small", blockSize: 1024, capacity: 256)
        small.inUse = 37
        small.highWater = 99
        small.overflow = 4
        memory.classes = [small, MemoryClassStats(name: "medium", blockSize: 10240, capacity: 128),
                          MemoryClassStats(name: "large", blockSize: 65536, capacity: 64)]
        var pool = ProcessPoolSnapshot()
        var node = RuntimeStats(runtime: "node")
        node.warm = 3
        node.busy = 2
        node.spawned = 17
        node.crashes = 1
        pool.runtimes = [node]
        var cache = CacheSnapshot()
        cache.hits = 673
        cache.misses = 327
        cache.hitRate = 0.673
        var memoryTier = CacheTierStats(name: "memory")
        memoryTier.hits = 600
        memoryTier.entries = 42
        memoryTier.bytes = 5 * 1024 * 1024
        cache.tiers = [memoryTier]
        var queue = QueueSnapshot()
        queue.depth = 5
        queue.capacity = 100
        queue.maxDepth = 23
        queue.inFlight = 4
        queue.limit = 8
        queue.waitMs = Percentiles(p50: 1.5, p95: 7.25, p99: 19)
        queue.runMs = Percentiles(p50: 120, p95: 410, p99: 880)
        var optimizations = OptimizationsSnapshot()
        optimizations.flags[.npxFastPath] = false
        optimizations.revision = 3
        optimizations.knownGoodRevision = 2
        optimizations.abTests = [ABTestResult(flag: "command_cache", verdict: "better", pValue: 0.0001, nA: 40, nB: 41)]
        optimizations.revisions = [
            ConfigRevision(number: 3, time: start, by: "user", changes: ["npx_fast_path": false], note: nil),
        ]
        var totals = Totals()
        totals.submitted = 60
        totals.completed = 51
        totals.failed = 2
        var lint = TaskStats(name: "lint", command: "eslint src")
        lint.runs = 12
        lint.lastExitCode = 0
        lint.lastDurationMs = 85
        return EngineSnapshot(
            sequence: 7, time: start.addingTimeInterval(42), state: .running, uptimeMs: 42_000, source: "fixture.toml",
            intakePaused: false, totals: totals, tasks: tasks ?? [lint], startup: startup, memory: memory,
            processPool: pool, cache: cache, queue: queue, optimizations: optimizations,
            events: events ?? [
                EngineEvent(id: 1, time: start.addingTimeInterval(1), level: .info, message: "start-up ready", detail: nil),
                EngineEvent(id: 2, time: start.addingTimeInterval(40), level: .error, message: "task build failed (exit 2)",
                            detail: "ld: symbol not found"),
            ]
        )
    }

    static func phase(_ name: String, _ deps: [String], _ state: PhaseState, _ start: Int64, _ duration: Int64,
                      error: String? = nil) -> PhaseStatus {
        var p = PhaseStatus(name: name, dependsOn: deps, state: state)
        p.startMs = start
        p.durationMs = duration
        p.error = error
        return p
    }

    static func event(_ id: UInt64, _ message: String, level: EngineEvent.Level = .info, detail: String? = nil) -> EngineEvent {
        EngineEvent(id: id, time: start.addingTimeInterval(Double(id)), level: level, message: message, detail: detail)
    }

    static let context = RenderContext(theme: ThemeCatalog.default)

    /// Renders one pane alone into a canvas of the given size.
    static func render(_ id: PaneID, width: Int = 60, height: Int = 12, snapshot: EngineSnapshot = Fixture.snapshot(),
                       histories: Histories = Histories(), focused: Bool = false, cursor: Int = 0,
                       context: RenderContext = Fixture.context) -> Canvas {
        var canvas = Canvas(width: width, height: height)
        pane(id).draw(in: &canvas, canvas.bounds,
                      PaneInput(snapshot: snapshot, histories: histories, focused: focused, cursor: cursor), context)
        return canvas
    }

    static func dashboard(width: Int, height: Int, snapshot: EngineSnapshot? = Fixture.snapshot(),
                          view: ViewState = ViewState(), context: RenderContext = Fixture.context) -> Canvas {
        Dashboard().render(snapshot: snapshot, histories: Histories(), view: view, context: context,
                           width: width, height: height, themeName: "default")
    }
}
