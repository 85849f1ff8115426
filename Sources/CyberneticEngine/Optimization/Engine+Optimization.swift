import Foundation

/// The cybernetic loop: every tick it samples saturation and checks the A/B test; every interval
/// it closes a metrics window, judges it against the baseline (promote, keep, undo) and, with
/// `self_optimization` on, may take one step from the catalogue.
extension Engine {
    var uptimeSeconds: Double { (clock.now - startedAt).seconds }

    func optimizationLoop() async {
        let settings = configuration.optimizer
        let tick = min(settings.interval / 5, .milliseconds(200))
        var lastCut = clock.now
        var cacheCounters = (expirations: 0, evictions: 0)
        while !Task.isCancelled {
            try? await Task.sleep(for: tick)
            let now = uptimeSeconds
            let due = ledger.withLock { ledger -> ABTest? in
                ledger.optimizer.window.tick(saturated: ledger.queue.depth > 0 && !ledger.queue.paused)
                return ledger.optimizer.abTest?.isDue(now: now) == true ? ledger.optimizer.abTest : nil
            }
            if let due { finish(due, reason: nil) }
            if clock.now - lastCut >= settings.interval {
                lastCut = clock.now
                judgeWindow(now: now, cacheCounters: &cacheCounters)
            }
        }
    }

    private func judgeWindow(now: Double, cacheCounters: inout (expirations: Int, evictions: Int)) {
        let settings = configuration.optimizer
        let interval = settings.interval.seconds
        let window = ledger.withLock { ledger -> MetricsWindow? in
            let window = ledger.optimizer.window
            let validationDue = ledger.optimizer.validation.map { now - $0.since >= settings.validationWindow.seconds } ?? false
            guard window.finished >= settings.minSamples || now - window.startedAt >= 4 * interval || validationDue else { return nil }
            ledger.optimizer.window = MetricsWindow(startedAt: now)
            return window
        }
        guard let window else { return }
        var summary = WindowSummary(window, endedAt: now, runnerWaits: executor.processPool.drainRunnerWaits())
        if let memoryTier = executor.cache.snapshot().first(where: { $0.name == CacheTier.memory.rawValue }) {
            summary.cacheExpirations = memoryTier.expirations - cacheCounters.expirations
            summary.cacheEvictions = memoryTier.evictions - cacheCounters.evictions
            cacheCounters = (memoryTier.expirations, memoryTier.evictions)
        }
        let sparse = executor.memoryPool.stats().contains { $0.slabs > 1 && $0.utilisation < 0.5 }
        let pool = executor.processPool.settings
        let configured = configuration.processPool.runtimes.map { $0 == "python3" ? "python" : $0 }
        let effects = ledger.withLock { ledger -> [Ledger.OptimizerEffect] in
            let setting = RevisionHistory.Setting(flags: ledger.revisions.flags, tuning: ledger.revisions.tuning)
            let runtimes = Set(configured).union(summary.runnerWaits.keys).union(setting.tuning.poolMin.keys).sorted()
            let context = OptimizerAction.Context(
                setting: setting, minConcurrency: configuration.queue.minConcurrency,
                maxConcurrency: configuration.queue.maxConcurrency, poolMax: pool.max, defaultPoolMin: pool.min,
                poolRuntimes: runtimes, sparseMemory: sparse,
                flagsOffByMachine: ledger.optimizer.flagsOffByMachine.filter { !setting.flags[$0] }.sorted { $0.rawValue < $1.rawValue },
                idleWindows: ledger.optimizer.idleWindows, configuredTTL: configuration.cache.ttl.seconds)
            let effects = ledger.judge(summary, context: context, now: now,
                                       selfOptimizing: ledger.revisions.flags[.selfOptimization],
                                       minSamples: settings.minSamples, validationWindow: settings.validationWindow.seconds)
            ledger.optimizer.loopState = ledger.loopDescription
            return effects
        }
        for effect in effects {
            switch effect {
            case .applySetting:
                applySetting()
            case .defragment(let action):
                let released = executor.memoryPool.defragment()
                ledger.withLock { ledger in
                    ledger.memory.defragmentations += 1
                    ledger.memory.slabsReleased += released
                    ledger.record(action, success: released > 0, outcome: released > 0 ? "kept" : "no effect",
                                  effect: "\(released) empty slab\(released == 1 ? "" : "s") released", revision: nil)
                    if released == 0 { ledger.optimizer.cooldown[action.kind.rawValue] = 6 }
                }
                saveLearning()
            case .saveLearning:
                saveLearning()
            }
        }
    }

    /// Pushes the revision in force to the parts that live outside the ledger: the queue's
    /// ceiling and limiter, the pool's spares per runtime, the memory tier's TTL.
    func applySetting() {
        let tuning = ledger.withLock { ledger in
            ledger.queue.setCeiling(ledger.revisions.tuning.concurrency)
            // A static limit is the setting itself; an adaptive one finds its own level below the ceiling.
            if ledger.queue.limiter.name == "static" { ledger.queue.scale(to: ledger.revisions.tuning.concurrency) }
            ledger.syncLimiter(settings: configuration.queue)
            return ledger.revisions.tuning
        }
        var pool = executor.processPool.settings
        if pool.minByRuntime != tuning.poolMin {
            pool.minByRuntime = tuning.poolMin
            executor.processPool.update(settings: pool)
        }
        let ttl = Duration.milliseconds(Int64(tuning.cacheTTLSeconds * 1000))
        if executor.cache.memoryTTL != ttl { executor.cache.memoryTTL = ttl }
    }

    func saveLearning() {
        guard let store = learningStore else { return }
        let records = ledger.withLock { ledger -> [ActionRecord]? in
            guard ledger.optimizer.learningDirty, !ledger.optimizer.disabled.contains("learning") else { return nil }
            ledger.optimizer.learningDirty = false
            return ledger.optimizer.bandit.sorted
        }
        guard let records else { return }
        do {
            try store.save(records)
        } catch {
            // A failing optimization is switched off, not retried on every window.
            ledger.withLock { ledger in
                ledger.optimizer.disabled.insert("learning")
                ledger.events.append(.warning, "optimizer: cannot save what it learned to \(store.path) (\(error)); "
                                     + "learning persistence switched off for this run")
            }
        }
    }

    // MARK: A/B tests

    func startABTest(_ name: String) throws {
        guard let flag = FeatureFlag(rawValue: name) else { throw EngineError.unknownFlag(name) }
        guard flag != .adaptiveConcurrency, flag != .selfOptimization else {
            throw EngineError.unavailable("\(name) acts on the whole engine, not on single runs, so runs cannot be split between arms")
        }
        let seed = configuration.ab.seed ?? UInt64.random(in: 0...UInt64.max)
        let now = uptimeSeconds
        try ledger.withLock { ledger in
            if let running = ledger.optimizer.abTest {
                throw EngineError.unavailable("an A/B test of \(running.flag.rawValue) is already running")
            }
            ledger.optimizer.abTest = ABTest(flag: flag, settings: configuration.ab, seed: seed, startedAt: now)
            ledger.optimizer.loopState = ledger.loopDescription
            ledger.events.append(.info, "A/B test of \(name) started: A = off, B = on, \(configuration.ab.minSamples) runs per arm (seed \(seed))")
        }
    }

    /// Concludes `test` (outside the lock: the bootstrap resamples) and records its verdict.
    func finish(_ test: ABTest, reason: String?) {
        let result = test.conclude(now: uptimeSeconds, reason: reason)
        ledger.withLock { ledger in
            guard ledger.optimizer.abTest?.seed == test.seed, ledger.optimizer.abTest?.startedAt == test.startedAt else { return }
            ledger.optimizer.abTest = nil
            ledger.optimizer.abResults.append(result)
            ledger.optimizer.loopState = ledger.loopDescription
            let detail = "p=\(String(format: "%.4g", result.pValue)), n=\(result.nA)/\(result.nB), median \(result.medianA.ms)→\(result.medianB.ms), p95 \(result.p95A.ms)→\(result.p95B.ms)"
            ledger.events.append(result.verdict == "worse" ? .warning : .info,
                                 "A/B test of \(result.flag): B (on) \(result.verdict) (\(detail))")
        }
    }

    /// Ends a running A/B test early (the engine is stopping): it reports what it has.
    func finishRunningABTest() {
        if let test = ledger.withLock({ $0.optimizer.abTest }) { finish(test, reason: "stopped with the engine") }
    }
}

extension Ledger {
    /// The flags for one run: the revision's, with the A/B test's flag set by the run's arm.
    mutating func flagsForRun() -> (FeatureFlags, ABTest.Arm?) {
        var flags = revisions.flags
        guard var test = optimizer.abTest else { return (flags, nil) }
        let arm = test.assign()
        optimizer.abTest = test
        flags[test.flag] = arm == .b
        return (flags, arm)
    }

    var loopDescription: String {
        if let test = optimizer.abTest { return "A/B test of \(test.flag.rawValue) running" }
        if let trial = optimizer.trial { return "trying \(trial.action.label)" }
        if let validation = optimizer.validation { return "validating revision \(validation.revision)" }
        return revisions.flags[.selfOptimization] ? "watching" : "off (validating changes only)"
    }
}
