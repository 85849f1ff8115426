import Foundation

/// How one task run travels through the engine: admission (or rejection when the queue is full),
/// a slot under the concurrency limit, the command itself, and the accounting of its outcome.
extension Engine {
    /// Runs a workload task `count` times, `every` apart (start to start), or back to back.
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

    func execute(_ spec: TaskSpec) async {
        if admit(spec) { await runAdmitted(spec) }
    }

    /// Counts the submission; rejects it at once when the queue is full.
    func admit(_ spec: TaskSpec) -> Bool {
        ledger.withLock { ledger in
            ledger.register(spec)
            ledger.totals.submitted += 1
            guard ledger.queue.pending < ledger.queue.capacity else {
                ledger.totals.rejected += 1
                ledger.events.append(.error, "task \(spec.name) rejected: queue full (\(ledger.queue.capacity) waiting)")
                return false
            }
            guard !ledger.stopRequested else {
                ledger.totals.cancelled += 1
                return false
            }
            ledger.queue.pending += 1
            ledger.queue.maxDepth = max(ledger.queue.maxDepth, ledger.queue.pending)
            return true
        }
    }

    func runAdmitted(_ spec: TaskSpec) async {
        let enqueued = clock.now
        guard await acquireSlot() else {
            ledger.withLock { $0.totals.cancelled += 1 }
            return
        }
        let waited = clock.now - enqueued
        ledger.withLock { ledger in
            ledger.tasks[spec.name]?.running += 1
            _ = ledger.waitMicros.record(UInt64(max(0, waited.milliseconds * 1000)))
        }
        let result = await CommandRunner.run(request(for: spec))
        ledger.withLock { ledger in
            ledger.queue.inFlight -= 1
            ledger.queue.grant()
            ledger.record(result, of: spec)
        }
    }

    func request(for spec: TaskSpec) -> CommandRequest {
        var environment: [String: String?] = [:]
        for entry in spec.env where entry.value != nil { environment[entry.name] = entry.value }
        return CommandRequest(argv: spec.run.argv, environment: environment,
                              timeout: spec.timeout ?? configuration.queue.taskTimeout)
    }

    /// Waits for a slot under the concurrency limit. Returns false when cancelled while waiting.
    private func acquireSlot() async -> Bool {
        let id = ledger.withLock { ledger -> UInt64 in
            ledger.queue.nextID += 1
            return ledger.queue.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                ledger.withLock { ledger in
                    if Task.isCancelled {
                        ledger.queue.pending -= 1
                        continuation.resume(returning: false)
                        return
                    }
                    ledger.queue.waiters.append(.init(id: id, continuation: continuation))
                    ledger.queue.grant()
                }
            }
        } onCancel: {
            ledger.withLock { $0.queue.cancel(id) }
        }
    }
}

extension Ledger {
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
