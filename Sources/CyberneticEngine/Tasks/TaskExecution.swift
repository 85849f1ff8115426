import Foundation

/// How one task run travels through the engine: admission (or rejection when the queue is full),
/// a slot under the concurrency limit, the command itself, and the accounting of its outcome.
extension Engine {
    /// Runs a workload task `every` apart (start to start), `count` times or forever. Tasks without
    /// `every` do not come here: `enqueueRuns` puts all their runs in line at once.
    func repeatTask(_ spec: TaskSpec) async {
        defer { ledger.withLock { $0.activeLoops -= 1 } }
        var runs = 0
        while !Task.isCancelled, spec.count.map({ runs < $0 }) ?? true {
            let started = clock.now
            await execute(spec)
            runs += 1
            if let every = spec.every, spec.count.map({ runs < $0 }) ?? true {
                try? await Task.sleep(until: started + every, clock: clock)
            }
        }
    }

    /// Submits `count` runs of a task at once, so that the queue orders them and the limit paces
    /// them. Each is a `QueuedRun` sharing `task`: no task of its own until a slot frees.
    func enqueueRuns(of task: SharedTaskSpec, count: Int) {
        for _ in 0..<count where !Task.isCancelled { _ = enqueue(task) }
    }

    /// One run of a repeating task, waiting for its slot in person.
    func execute(_ spec: TaskSpec) async {
        if let sequence = admit(spec) { await runAdmitted(spec, sequence: sequence) }
    }

    /// Counts the submission of a run that will wait on a continuation and puts it in line.
    func admit(_ spec: TaskSpec) -> UInt64? {
        admitting(spec) { queue, now in queue.admit(spec.priority, now: now) }
    }

    /// Counts the submission of a data run and puts it in line; a worker runs it once it holds a slot.
    @discardableResult
    func enqueue(_ task: SharedTaskSpec) -> Bool {
        admitting(task.spec) { queue, now in queue.admit(QueuedRun(task: task, admittedAt: now), now: now) ? () : nil } != nil
    }

    /// Counts the submission and puts it in line with `put`; rejects it at once when the queue is full.
    private func admitting<T>(_ spec: TaskSpec, _ put: (inout QueueState, Double) -> T?) -> T? {
        let now = uptimeSeconds
        return ledger.withLock { ledger in
            ledger.register(spec)
            ledger.totals.submitted += 1
            guard !ledger.stopRequested else {
                ledger.totals.cancelled += 1
                return nil
            }
            guard let admitted = put(&ledger.queue, now) else {
                ledger.totals.rejected += 1
                ledger.events.append(.error, "task \(spec.name) rejected: queue full (\(ledger.queue.capacity) waiting)")
                return nil
            }
            return admitted
        }
    }

    /// A worker: runs a granted data run, then keeps taking granted runs until none is left for it.
    /// Workers exist only for runs that hold a slot, so there are never more than the limit allows.
    func work(startingWith first: QueuedRun) async {
        var next: QueuedRun? = first
        while let run = next {
            await runGranted(run.task.spec, admittedAt: run.admittedAt)
            next = Task.isCancelled ? nil : ledger.withLock { $0.queue.nextReady() }
        }
    }

    func runAdmitted(_ spec: TaskSpec, sequence: UInt64) async {
        let enqueued = uptimeSeconds
        guard await acquireSlot(sequence) else {
            ledger.withLock { $0.totals.cancelled += 1 }
            return
        }
        await runGranted(spec, admittedAt: enqueued)
    }

    /// Runs a run that holds a slot, accounts for its outcome and gives the slot back.
    private func runGranted(_ spec: TaskSpec, admittedAt: Double) async {
        let waited = UInt64(max(0, (uptimeSeconds - admittedAt) * 1_000_000))
        ledger.withLock { ledger in
            ledger.tasks[spec.name]?.running += 1
            _ = ledger.waitMicros.record(waited)
            _ = ledger.waitByPriority[spec.priority.rank].record(waited)
        }
        let (flags, arm) = ledger.withLock { $0.flagsForRun() }
        let policy: Executor.CachePolicy? = flags[.commandCache] && spec.cache
            ? .init(declaredEnvironment: spec.env.map(\.name), inputs: spec.inputs, outputs: spec.outputs,
                    cacheFailures: spec.cacheFailures)
            : nil
        let began = clock.now
        let outcome = await executor.run(request(for: spec), policy: policy, options: Executor.Options(flags: flags))
        // Wall time as the caller felt it: a cache hit replays the original run's duration.
        let latencyMs = (clock.now - began).seconds * 1000
        let result = outcome.result
        let uptime = (clock.now - startedAt).seconds
        ledger.withLock { ledger in
            let hit: Bool? = policy == nil ? nil : (outcome.path == .memoryHit || outcome.path == .diskHit)
            ledger.optimizer.window.record(runMs: latencyMs, waitMs: Double(waited) / 1000, began: (began - startedAt).seconds,
                                           failed: result.outcome != .exited(0) && result.outcome != .cancelled, cacheHit: hit)
            if let arm { ledger.optimizer.abTest?.record(arm, latencyMs: latencyMs) }
            ledger.recordCache(outcome, used: policy != nil, task: spec.name)
            let dropped = result.outcome == .timedOut || (!result.outcome.succeeded && result.outcome != .cancelled)
            ledger.queue.finish(rtt: result.duration, dropped: dropped)
            ledger.throughput.record(at: uptime)
            ledger.finishedByPriority[spec.priority.rank] += 1
            _ = ledger.runByPriority[spec.priority.rank].record(UInt64(max(0, result.duration.milliseconds * 1000)))
            ledger.record(result, of: spec)
        }
    }

    func request(for spec: TaskSpec) -> CommandRequest {
        var environment: [String: String?] = [:]
        for entry in spec.env where entry.value != nil { environment[entry.name] = entry.value }
        // Before the command runs, so that nothing it prints can show a secret it was given.
        if !spec.env.isEmpty || !spec.secretEnv.isEmpty { Secrets.register(task: spec) }
        return CommandRequest(argv: spec.run.argv, environment: environment,
                              timeout: spec.timeout ?? configuration.queue.taskTimeout)
    }

    /// Waits for run `sequence` to get a slot. Returns false when cancelled while waiting.
    private func acquireSlot(_ sequence: UInt64) async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                ledger.withLock { ledger in
                    if Task.isCancelled { ledger.queue.cancel(sequence) }
                    ledger.queue.wait(sequence, continuation: continuation)
                }
            }
        } onCancel: {
            ledger.withLock { $0.queue.cancel(sequence) }
        }
    }
}

extension Ledger {
    mutating func recordCache(_ outcome: Executor.Outcome, used: Bool, task: String) {
        switch outcome.path {
        case .warmRunner: processPool.warmRuns += 1
        case .spawned: processPool.directRuns += 1
        case .memoryHit, .diskHit, .remoteHit: break
        }
        if outcome.npxResolved { processPool.npxFastPath += 1 }
        guard used else { return }
        switch outcome.path {
        case .memoryHit, .diskHit, .remoteHit:
            cache.hits += 1
            tasks[task]?.cacheHits += 1
        case .spawned, .warmRunner:
            cache.misses += 1
        }
        if outcome.stored { cache.stored += 1 }
        if outcome.capped {
            cache.capped += 1
            events.append(.warning, "task \(task): output over the capture limit; the run was not cached")
        }
        if let restored = outcome.restored {
            cache.restoredFiles += restored.files
            cache.restoredBytes += restored.bytes
            cache.unchangedFiles += restored.unchanged
        }
        if let reason = outcome.restoreRefused {
            cache.restoresRefused += 1
            events.append(.warning, "task \(task): \(reason)")
        }
        if let reason = outcome.notCached {
            cache.outputsNotCached += 1
            events.append(.warning, "task \(task): \(reason)")
        }
    }

    mutating func record(_ result: CommandResult, of spec: TaskSpec) {
        let ms = result.duration.milliseconds
        _ = runMicros.record(UInt64(max(0, ms * 1000)))
        var stats = tasks[spec.name] ?? TaskStats(name: spec.name, command: SafeText.line(spec.run.description))
        stats.running -= 1
        stats.runs += 1
        stats.lastDurationMs = ms
        stats.totalDurationMs += ms
        switch result.outcome {
        case .exited(let code):
            stats.lastExitCode = Int(code)
        case .signaled, .timedOut, .failedToStart, .cancelled:
            stats.lastExitCode = Int(result.outcome.shellExitCode)
        }
        switch result.outcome {
        case .exited(0):
            totals.completed += 1
            events.append(.debug, "task \(spec.name) finished in \(ms) ms")
        case .cancelled:
            totals.cancelled += 1
            events.append(.warning, "task \(spec.name) cancelled after \(ms) ms")
        case .timedOut:
            totals.timedOut += 1
            stats.timeouts += 1
            stats.failures += 1
            let detail = SafeText.tail(result.stderr.bytes)
            stats.lastFailure = "timed out after \(ms) ms" + (detail.isEmpty ? "" : "\n" + detail)
            events.append(.error, "task \(spec.name) timed out after \(ms) ms; its process group was terminated",
                          detail: detail.isEmpty ? nil : detail)
        case .exited, .signaled, .failedToStart:
            totals.failed += 1
            stats.failures += 1
            let detail = SafeText.tail(result.stderr.bytes)
            stats.lastFailure = result.outcome.summary + (detail.isEmpty ? "" : "\n" + detail)
            events.append(.error, "task \(spec.name) failed: \(result.outcome.summary) after \(ms) ms",
                          detail: detail.isEmpty ? nil : detail)
        }
        tasks[spec.name] = stats
    }
}
