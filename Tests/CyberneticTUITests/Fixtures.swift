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
        small.slabs = 2
        small.blocksPerSlab = 32
        small.utilisation = 37.0 / 64
        small.bytesRequested = 20_000
        small.bytesHeld = 37 * 1024
        // A class under pressure: 100 of 128 blocks.
        var medium = MemoryClassStats(name: "medium", blockSize: 10240, capacity: 128)
        medium.inUse = 100
        medium.highWater = 120
        medium.slabs = 4
        medium.blocksPerSlab = 32
        medium.utilisation = 100.0 / 128
        medium.bytesRequested = 700_000
        medium.bytesHeld = 100 * 10240
        memory.classes = [small, medium, MemoryClassStats(name: "large", blockSize: 65536, capacity: 64)]
        memory.defragmentations = 2
        memory.slabsReleased = 3
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
        cache.stored = 300
        cache.capped = 2
        var memoryTier = CacheTierStats(name: "memory")
        memoryTier.hits = 600
        memoryTier.misses = 400
        memoryTier.entries = 42
        memoryTier.bytes = 5 * 1024 * 1024
        memoryTier.evictions = 11
        memoryTier.expirations = 6
        var diskTier = CacheTierStats(name: "disk")
        diskTier.hits = 74
        diskTier.misses = 326
        diskTier.entries = 250
        diskTier.bytes = 30 * 1024 * 1024
        diskTier.discarded = 2
        cache.tiers = [memoryTier, diskTier]
        var queue = QueueSnapshot()
        queue.depth = 5
        queue.capacity = 100
        queue.maxDepth = 23
        queue.inFlight = 4
        queue.limit = 8
        queue.maxInFlight = 7
        queue.limiter = "aimd"
        queue.throughputPerSecond = 12.4
        queue.waitMs = Percentiles(p50: 1.5, p95: 7.25, p99: 19)
        queue.runMs = Percentiles(p50: 120, p95: 410, p99: 880)
        // Depth 5 = 1 critical + 2 high + 2 normal; low has never been used.
        queue.byPriority = [
            priority(.low, depth: 0, finished: 0, wait: Percentiles(), run: Percentiles()),
            priority(.normal, depth: 2, finished: 30, wait: Percentiles(p50: 2, p95: 8, p99: 21),
                     run: Percentiles(p50: 130, p95: 420, p99: 900)),
            priority(.high, depth: 2, finished: 20, wait: Percentiles(p50: 0.5, p95: 3, p99: 4),
                     run: Percentiles(p50: 110, p95: 390, p99: 610)),
            priority(.critical, depth: 1, finished: 1, wait: Percentiles(p50: 0.2, p95: 0.3, p99: 0.4),
                     run: Percentiles(p50: 90, p95: 95, p99: 97)),
        ]
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
        totals.rejected = 3
        totals.timedOut = 1
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
                EngineEvent(id: 3, time: start.addingTimeInterval(41), level: .debug, message: "task lint finished in 85 ms",
                            detail: nil),
            ]
        )
    }

    static func priority(_ p: TaskPriority, depth: Int, finished: Int, wait: Percentiles, run: Percentiles) -> PriorityQueueStats {
        var stats = PriorityQueueStats(priority: p)
        stats.depth = depth
        stats.maxDepth = depth * 3
        stats.finished = finished
        stats.waitMs = wait
        stats.runMs = run
        return stats
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
                          histories: Histories = Histories(), view: ViewState = ViewState(),
                          context: RenderContext = Fixture.context, keyMap: KeyMap = .standard) -> Canvas {
        Dashboard(keyMap: keyMap).render(snapshot: snapshot, histories: histories, view: view, context: context,
                                         width: width, height: height, themeName: "default")
    }

    /// A line with runs of spaces squeezed to one, so tests do not depend on column padding.
    static func squeezed(_ line: String) -> String {
        line.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    /// One pane as the whole dashboard lays it out at `width`x`height`: its rect and its lines
    /// (border included), so a test reads exactly what that screen shows of the pane.
    static func paneOnScreen(_ id: PaneID, width: Int, height: Int, snapshot: EngineSnapshot = Fixture.snapshot(),
                             histories: Histories = Histories()) -> (canvas: Canvas, rect: Rect, lines: [String]) {
        let canvas = dashboard(width: width, height: height, snapshot: snapshot, histories: histories)
        guard let rect = Layout.compute(width: width, height: height, snapshot: snapshot)?.panes[id] else {
            return (canvas, Rect(x: 0, y: 0, width: 0, height: 0), [])
        }
        let lines = (rect.y..<rect.maxY).map { y in
            String((rect.x..<rect.maxX).compactMap { canvas[$0, y].character })
        }
        return (canvas, rect, lines)
    }

    /// Snapshots over `count` quarter seconds whose cache answers `hitsPerStep` of every
    /// `lookupsPerStep` lookups, recorded into histories.
    static func histories(steps count: Int = 40, hitsPerStep: Int = 3, lookupsPerStep: Int = 4) -> (Histories, EngineSnapshot) {
        var histories = Histories()
        var snapshot = Fixture.snapshot()
        for i in 0..<count {
            snapshot.sequence = UInt64(100 + i)
            snapshot.uptimeMs = Int64(i) * 250
            snapshot.queue.depth = i % 10
            snapshot.cache.hits = 673 + i * hitsPerStep
            snapshot.cache.misses = 327 + i * (lookupsPerStep - hitsPerStep)
            for t in snapshot.cache.tiers.indices {
                snapshot.cache.tiers[t].hits += hitsPerStep
                snapshot.cache.tiers[t].misses += lookupsPerStep - hitsPerStep
            }
            histories.record(snapshot)
        }
        return (histories, snapshot)
    }
}
