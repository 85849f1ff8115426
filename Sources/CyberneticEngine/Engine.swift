import Foundation
import ServiceLifecycle
import Synchronization

/// The one type front ends use: snapshots come out, controls go in.
///
/// `run()` boots the start-up phases, then runs the workload's tasks (and anything submitted
/// later) until `stop()` or a graceful shutdown. It keeps running when idle, so a dashboard can
/// stay open and submit more work; headless mode stops it when the run is over.
public final class Engine: Service, Sendable {
    public let configuration: Configuration
    /// Runs commands: from the cache, or really (then stores them).
    public let executor: Executor
    /// Service phases' processes, stopped last-started-first when the engine stops.
    /// A minute, not the runners' 10 s: a service that takes seconds to start and crash would
    /// otherwise never reach the intensity and be restarted forever.
    let services = ServiceSupervisor(policy: RestartPolicy(maxRestarts: 5, period: .seconds(60), quietPeriod: .seconds(60)))
    let ledger: Mutex<Ledger>
    let clock = ContinuousClock()
    let startedAt: ContinuousClock.Instant
    /// Where the optimizer's success records persist between runs (nil: memory only).
    let learningStore: LearningStore?
    private let snapshotInterval: Duration
    private let subscribers = Mutex<(next: Int, continuations: [Int: AsyncStream<EngineSnapshot>.Continuation])>((0, [:]))
    private let sequence = Atomic<UInt64>(0)
    /// Signalled by the queue when it grants slots to queued runs: `runWorkload` hands them to workers.
    private let grants: (stream: AsyncStream<Void>, continuation: AsyncStream<Void>.Continuation)
    private let stopRequests: (stream: AsyncStream<Void>, continuation: AsyncStream<Void>.Continuation)

    public init(configuration: Configuration, snapshotsPerSecond: Double = 10) {
        self.configuration = configuration
        let store = Self.learningStore(for: configuration)
        learningStore = store
        grants = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        var ledger = Ledger(configuration: configuration, learning: store?.load() ?? [])
        ledger.queue.wake = grants.continuation
        self.ledger = Mutex(ledger)
        executor = Executor(configuration: configuration)
        startedAt = clock.now
        snapshotInterval = .milliseconds(Int64(1000 / max(0.1, min(snapshotsPerSecond, 1000))))
        stopRequests = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Live snapshots at the configured rate. Only the newest is buffered: a slow consumer skips
    /// frames and never slows the engine. The stream ends after the final snapshot of the run.
    public func snapshots() -> AsyncStream<EngineSnapshot> {
        let (stream, continuation) = AsyncStream.makeStream(of: EngineSnapshot.self, bufferingPolicy: .bufferingNewest(1))
        continuation.yield(snapshot())
        let stopped = ledger.withLock { $0.lifecycle == .stopped }
        if stopped {
            continuation.finish()
            return stream
        }
        let id = subscribers.withLock { state in
            state.next += 1
            state.continuations[state.next] = continuation
            return state.next
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.continuations.removeValue(forKey: id) }
        }
        return stream
    }

    /// The state right now. The ledger is copied in one short critical section (its storage is
    /// copy-on-write, so that is cheap) and the snapshot, percentiles included, is built from the
    /// copy after the lock is released: consistent, without making running tasks wait for it.
    public func snapshot() -> EngineSnapshot {
        let number = sequence.add(1, ordering: .relaxed).newValue
        recordCacheNotices()
        let tiers = executor.cache.snapshot()
        let memory = executor.memoryPool.stats()
        let runtimes = executor.processPool.snapshot()
        let (state, uptime) = ledger.withLock { ($0, clock.now - startedAt) }
        var snapshot = state.snapshot(sequence: number, uptime: uptime, source: configuration.source)
        snapshot.cache.tiers = tiers
        snapshot.memory.classes = memory
        snapshot.processPool.runtimes = runtimes
        snapshot.memory.pooled = snapshot.optimizations.flags[.memoryPool]
        return snapshot
    }

    static func learningStore(for configuration: Configuration) -> LearningStore? {
        if let file = configuration.optimizer.learningFile { return LearningStore(path: file) }
        let cache = URL(fileURLWithPath: configuration.cache.directory)
        return LearningStore(path: cache.deletingLastPathComponent().appendingPathComponent("learning.json").path)
    }

    public func perform(_ control: Control) async throws {
        switch control {
        case .setFlag(let name, let value):
            guard let flag = FeatureFlag(rawValue: name) else { throw EngineError.unknownFlag(name) }
            let now = uptimeSeconds
            ledger.withLock { ledger in
                var flags = ledger.revisions.flags
                flags[flag] = value
                if let revision = ledger.revisions.apply(flags, by: "user") {
                    ledger.events.append(.info, "flag \(name) \(value ? "on" : "off") (revision \(revision.number))")
                    ledger.optimizer.flagsOffByMachine.remove(flag)
                    ledger.userChanged(to: revision.number, at: now)
                }
            }
            applySetting()
        case .rollback:
            let now = uptimeSeconds
            ledger.withLock { ledger in
                let target = ledger.revisions.knownGood
                if let revision = ledger.revisions.rollback(by: "user") {
                    ledger.events.append(.warning, "rolled back to revision \(target) (now revision \(revision.number))")
                    ledger.userChanged(to: revision.number, at: now)
                } else {
                    ledger.events.append(.info, "already at last known-good revision \(target)")
                }
            }
            applySetting()
        case .pauseIntake, .resumeIntake:
            let paused = control == .pauseIntake
            ledger.withLock { ledger in
                guard ledger.queue.paused != paused else { return }
                ledger.queue.setPaused(paused)
                ledger.events.append(.info, paused ? "task intake paused" : "task intake resumed")
            }
        case .startABTest(let name):
            try startABTest(name)
        case .setConcurrency(let limit):
            guard limit >= 1 else { throw EngineError.unavailable("the concurrency limit must be at least 1, got \(limit)") }
            let now = uptimeSeconds
            ledger.withLock { ledger in
                var tuning = ledger.revisions.tuning
                tuning.concurrency = limit
                ledger.queue.scale(to: limit)
                if let revision = ledger.revisions.apply(tuning, by: "user") {
                    ledger.userChanged(to: revision.number, at: now)
                }
                ledger.queue.setCeiling(tuning.concurrency)
                ledger.events.append(.info, "concurrency limit scaled to \(ledger.queue.limit) (\(ledger.queue.limiter.name))")
            }
        case .defragmentMemory:
            defragment(reason: "on demand")
        case .submit(let spec):
            enqueue(SharedTaskSpec(spec))
        }
    }

    /// Ends the run: queued runs are cancelled, running commands get SIGTERM then SIGKILL.
    public func stop() {
        let first = ledger.withLock { ledger in
            defer { ledger.stopRequested = true }
            if !ledger.stopRequested, ledger.lifecycle != .stopped { ledger.lifecycle = .stopping }
            return !ledger.stopRequested
        }
        if first { stopRequests.continuation.yield() }
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.publishLoop() }
                group.addTask { await self.optimizationLoop() }
                group.addTask { await self.runWorkload() }
                for await _ in stopRequests.stream { break }
                // Services go down in reverse order of start before anything else is cancelled.
                await Task { await self.stopServices() }.value
                // Queued runs are data, not tasks: they are withdrawn here, where cancelling the
                // group would have cancelled a task per queued run.
                ledger.withLock { ledger in ledger.totals.cancelled += ledger.queue.withdrawRuns() }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.stop()
        }
        await executor.processPool.shutdown()
        collectHealing()
        finishRunningABTest()
        saveLearning()
        // Uploads still in flight belong to this run: the next machine should find them.
        await executor.cache.flush()
        ledger.withLock { ledger in
            // Runs admitted but never picked up (submitted during a failed start-up, say) are cancelled.
            ledger.totals.cancelled += ledger.queue.cancelAll()
            ledger.lifecycle = .stopped
        }
        let final = snapshot()
        let continuations = subscribers.withLock { state in
            defer { state.continuations.removeAll() }
            return Array(state.continuations.values)
        }
        for continuation in continuations {
            continuation.yield(final)
            continuation.finish()
        }
    }

    /// Tampered blobs, circuit changes and refused requests become events.
    private func recordCacheNotices() {
        let notices = executor.cache.drainNotices()
        guard !notices.isEmpty else { return }
        ledger.withLock { ledger in
            for notice in notices { ledger.events.append(notice.level == .warning ? .warning : .info, notice.message) }
        }
    }

    /// Packs pooled memory and frees empty slabs; reports what it released.
    func defragment(reason: String) {
        let released = executor.memoryPool.defragment()
        ledger.withLock { ledger in
            ledger.memory.defragmentations += 1
            ledger.memory.slabsReleased += released
            if released > 0 || reason == "on demand" {
                ledger.events.append(.info, "memory defragmented (\(reason)): \(released) empty slab\(released == 1 ? "" : "s") released")
            }
        }
    }

    private func publishLoop() async {
        var lastDefragment = clock.now
        while !Task.isCancelled {
            if clock.now - lastDefragment > .seconds(30) {
                lastDefragment = clock.now
                let sparse = executor.memoryPool.stats().contains { $0.slabs > 1 && $0.utilisation < 0.5 }
                if sparse { defragment(reason: "utilisation under 50%") }
            }
            collectHealing()
            let current = snapshot()
            for continuation in subscribers.withLock({ Array($0.continuations.values) }) {
                continuation.yield(current)
            }
            try? await Task.sleep(for: snapshotInterval)
        }
    }

    private func stopServices() async {
        for name in services.names.reversed() {
            await services.stop(name)
            ledger.withLock { ledger in
                if let index = ledger.startup.phases.firstIndex(where: { $0.name == name }), ledger.startup.phases[index].state == .healthy {
                    ledger.startup.phases[index].state = .stopped
                }
                ledger.events.append(.info, "service \(name) stopped")
            }
        }
    }

    private func runWorkload() async {
        let ready = await StartupCoordinator(engine: self).run()
        guard ready, !Task.isCancelled else { return }
        let tasks = configuration.tasks
        ledger.withLock { ledger in
            ledger.activeLoops = tasks.count
            if ledger.lifecycle == .starting { ledger.lifecycle = .running }
            ledger.events.append(.info, "running \(tasks.count) task\(tasks.count == 1 ? "" : "s")")
        }
        await withDiscardingTaskGroup { group in
            for task in tasks {
                guard task.every == nil, let count = task.count else {
                    group.addTask { await self.repeatTask(task) }
                    continue
                }
                // A back-to-back task: every run goes in line now, as data; the loop below starts them.
                enqueueRuns(of: SharedTaskSpec(task), count: count)
                ledger.withLock { $0.activeLoops -= 1 }
            }
            // Runs granted a slot get a worker, which carries on with further granted runs itself:
            // there are only ever as many workers as runs in flight, however long the line.
            for await _ in grants.stream {
                while let run = ledger.withLock({ $0.queue.nextReady() }) {
                    group.addTask { await self.work(startingWith: run) }
                }
            }
        }
    }
}
