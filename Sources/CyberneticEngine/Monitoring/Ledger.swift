import Collections
import Foundation
import Histogram

/// All mutable engine state that snapshots read. It lives behind one lock in `Engine`, which is
/// what makes every snapshot consistent: it is built in a single critical section.
struct Ledger: Sendable {
    var lifecycle: EngineState = .starting
    var stopRequested = false
    var totals = Totals()
    var tasks = TaskTable()
    /// Repeating task loops that still have runs to submit.
    var activeLoops = 0
    var startup = StartupSnapshot()
    var queue: QueueState
    var throughput = Throughput()
    var memory = MemorySnapshot()
    var processPool = ProcessPoolSnapshot()
    var cache = CacheSnapshot()
    var revisions: RevisionHistory
    var optimizer: OptimizerState
    var events = EventLog()
    /// The healer's latest actions, newest last (see `Engine.collectHealing`).
    var healing: [HealingAction] = []
    var waitMicros = Self.histogram()
    var runMicros = Self.histogram()
    var waitByPriority = TaskPriority.allCases.map { _ in Self.histogram() }
    var runByPriority = TaskPriority.allCases.map { _ in Self.histogram() }
    var finishedByPriority = [0, 0, 0, 0]

    init(configuration: Configuration, learning: [ActionRecord] = []) {
        revisions = RevisionHistory(initial: configuration.flags, tuning: Tuning(configuration: configuration),
                                    defaultPoolMin: configuration.processPool.min)
        optimizer = OptimizerState(startedAt: 0, records: learning, seed: configuration.ab.seed ?? UInt64.random(in: 0...UInt64.max))
        queue = QueueState(
            capacity: configuration.queue.maxSize,
            limiter: Limiters.make(adaptive: configuration.flags[.adaptiveConcurrency], settings: configuration.queue),
            agingStep: configuration.queue.aging.seconds
        )
        startup.phases = StartupPlan(configuration: configuration).phases.map { phase in
            var status = PhaseStatus(name: phase.name, dependsOn: phase.dependsOn)
            status.builtIn = phase.builtIn != nil
            status.service = phase.spec?.service ?? false
            return status
        }
        for task in configuration.tasks { register(task) }
        optimizer.loopState = loopDescription
    }

    mutating func register(_ task: TaskSpec) {
        guard tasks[task.name] == nil else { return }
        tasks[task.name] = TaskStats(name: task.name, command: SafeText.line(task.run.description))
    }

    /// The lifecycle state as front ends should see it: idle once nothing is left to do.
    var visibleState: EngineState {
        guard lifecycle == .running else { return lifecycle }
        let busy = activeLoops > 0 || queue.inFlight > 0 || queue.depth > 0
        return busy ? .running : .idle
    }

    func snapshot(sequence: UInt64, uptime: Duration, source: String) -> EngineSnapshot {
        var queueSnapshot = QueueSnapshot()
        queueSnapshot.depth = queue.depth
        queueSnapshot.maxDepth = queue.maxDepth
        queueSnapshot.capacity = queue.capacity
        queueSnapshot.inFlight = queue.inFlight
        queueSnapshot.maxInFlight = queue.maxInFlight
        queueSnapshot.limit = queue.limit
        queueSnapshot.limiter = queue.limiterName
        queueSnapshot.paused = queue.paused
        queueSnapshot.throughputPerSecond = (throughput.perSecond(at: uptime.seconds) * 10).rounded() / 10
        queueSnapshot.waitMs = Self.percentiles(waitMicros)
        queueSnapshot.runMs = Self.percentiles(runMicros)
        queueSnapshot.byPriority = TaskPriority.allCases.map { priority in
            var stats = PriorityQueueStats(priority: priority)
            stats.depth = queue.depthByPriority[priority.rank]
            stats.maxDepth = queue.maxDepthByPriority[priority.rank]
            stats.finished = finishedByPriority[priority.rank]
            stats.waitMs = Self.percentiles(waitByPriority[priority.rank])
            stats.runMs = Self.percentiles(runByPriority[priority.rank])
            return stats
        }
        var startupSnapshot = startup
        let upNames = Set(startup.phases.filter { $0.state.isUp }.map(\.name))
        for index in startupSnapshot.phases.indices where startupSnapshot.phases[index].state == .pending {
            startupSnapshot.phases[index].waitingOn = startupSnapshot.phases[index].dependsOn.filter { !upNames.contains($0) }
        }
        var cacheSnapshot = cache
        let lookups = cache.hits + cache.misses
        cacheSnapshot.hitRate = lookups == 0 ? 0 : Double(cache.hits) / Double(lookups)
        return EngineSnapshot(
            sequence: sequence,
            time: Date(),
            state: visibleState,
            uptimeMs: uptime.milliseconds,
            source: source,
            intakePaused: queue.paused,
            totals: totals,
            tasks: tasks.list,
            startup: startupSnapshot,
            memory: memory,
            processPool: processPool,
            cache: cacheSnapshot,
            queue: queueSnapshot,
            optimizations: optimizationsSnapshot(now: uptime.seconds),
            events: Array(events.events),
            healing: healing
        )
    }

    func optimizationsSnapshot(now: Double) -> OptimizationsSnapshot {
        var snapshot = revisions.snapshot
        snapshot.abTests = optimizer.abResults + (optimizer.abTest.map { [$0.progress(now: now)] } ?? [])
        snapshot.decisions = optimizer.decisions
        snapshot.loopState = optimizer.loopState
        snapshot.windows = optimizer.windows
        snapshot.baseline = (optimizer.validation?.baseline ?? optimizer.baseline)?.figures
        snapshot.learning = optimizer.bandit.sorted
        return snapshot
    }

    static func histogram() -> Histogram<UInt64> {
        Histogram<UInt64>(highestTrackableValue: 86_400_000_000, numberOfSignificantValueDigits: .two)
    }

    /// Keeps the limiter in step with the `adaptive_concurrency` flag after any revision.
    mutating func syncLimiter(settings: QueueSettings) {
        let adaptive = revisions.flags[.adaptiveConcurrency]
        guard (queue.limiter.name != "static") != adaptive else { return }
        queue.replaceLimiter(Limiters.make(adaptive: adaptive, settings: settings, startingAt: queue.limit))
        events.append(.info, "concurrency limit now \(queue.limiter.name) at \(queue.limit)")
    }

    static func percentiles(_ histogram: Histogram<UInt64>) -> Percentiles {
        guard histogram.totalCount > 0 else { return Percentiles() }
        func ms(_ p: Double) -> Double { (Double(histogram.valueAtPercentile(p)) / 1000 * 100).rounded() / 100 }
        return Percentiles(p50: ms(50), p95: ms(95), p99: ms(99))
    }
}
