import Foundation

/// Boots the workload's `[[phase]]` entries as a dependency graph: a phase starts the moment all
/// of its dependencies have succeeded, independent phases run at the same time. When one fails,
/// phases not started are skipped, running ones are cancelled, and completed ones are rolled back
/// in reverse order of completion.
struct StartupCoordinator {
    let engine: Engine

    private var phases: [PhaseSpec] { engine.configuration.phases }

    func run() async -> Bool {
        let started = engine.clock.now
        engine.ledger.withLock { $0.startup.state = .starting }
        var succeeded: [String] = []
        var failure: String?

        await withTaskGroup(of: (String, String?).self) { group in
            var launched: Set<String> = []
            func launchReady() {
                for phase in phases where !launched.contains(phase.name) && phase.dependsOn.allSatisfy(succeeded.contains) {
                    launched.insert(phase.name)
                    group.addTask { (phase.name, await self.runPhase(phase, since: started)) }
                }
            }
            launchReady()
            for await (name, error) in group {
                if let error {
                    if failure == nil {
                        failure = "phase \(name): \(error)"
                        group.cancelAll()
                    }
                } else {
                    succeeded.append(name)
                    if failure == nil { launchReady() }
                }
            }
        }

        let total = (engine.clock.now - started).milliseconds
        if Task.isCancelled && failure == nil && succeeded.count < phases.count {
            failure = "start-up interrupted"
        }
        guard let failure else {
            engine.ledger.withLock { ledger in
                ledger.startup.state = .ready
                ledger.startup.totalMs = total
                ledger.startup.criticalPath = criticalPath(ledger.startup.phases)
                if !phases.isEmpty { ledger.events.append(.info, "start-up ready: \(phases.count) phases in \(total) ms") }
            }
            return true
        }
        engine.ledger.withLock { ledger in
            for index in ledger.startup.phases.indices where ledger.startup.phases[index].state == .pending {
                ledger.startup.phases[index].state = .skipped
            }
            ledger.startup.state = .failed
            ledger.startup.totalMs = total
            ledger.events.append(.error, "start-up failed: \(failure)")
        }
        // Rollback must finish even when the run is being stopped, so it does not inherit cancellation.
        let toUndo = Array(succeeded.reversed())
        await Task { await rollBack(toUndo) }.value
        engine.ledger.withLock { ledger in
            ledger.startup.state = succeeded.isEmpty ? .failed : .rolledBack
            ledger.lifecycle = .failed
        }
        return false
    }

    /// Runs one phase and its health check. Returns nil on success, or the reason it failed.
    private func runPhase(_ phase: PhaseSpec, since start: ContinuousClock.Instant) async -> String? {
        let clock = engine.clock
        let began = clock.now
        let timeout = phase.timeout ?? engine.configuration.queue.taskTimeout
        update(phase.name) {
            $0.state = .running
            $0.startMs = (began - start).milliseconds
        }
        let result = await CommandRunner.run(CommandRequest(argv: phase.run.argv, timeout: timeout))
        var error: String? = switch result.outcome {
        case .exited(0): nil
        case .timedOut: "timed out after \(DurationText.format(timeout))"
        default: result.outcome.summary
        }
        if error == nil, let health = phase.health {
            update(phase.name) { $0.state = .checking }
            error = await HealthCheck(health).wait(until: began + timeout, clock: clock)
        }
        let elapsed = (clock.now - began).milliseconds
        let tail = SafeText.tail(result.stderr.bytes, maxLines: 10)
        update(phase.name) { status in
            status.durationMs = elapsed
            if Task.isCancelled && error != nil {
                status.state = .skipped
                status.error = "cancelled: another phase failed"
            } else if let error {
                status.state = result.outcome == .timedOut ? .timedOut : .failed
                status.error = error
            } else {
                status.state = .succeeded
            }
        }
        engine.ledger.withLock { ledger in
            if let error {
                ledger.events.append(.error, "phase \(phase.name) failed: \(error)", detail: tail.isEmpty ? nil : tail)
            } else {
                ledger.events.append(.info, "phase \(phase.name) succeeded in \(elapsed) ms")
            }
        }
        return error
    }

    private func rollBack(_ names: [String]) async {
        for name in names {
            guard let phase = phases.first(where: { $0.name == name }) else { continue }
            guard let rollback = phase.rollback else {
                update(name) { $0.state = .rolledBack }
                continue
            }
            update(name) { $0.state = .rollingBack }
            let timeout = phase.timeout ?? engine.configuration.queue.taskTimeout
            let result = await CommandRunner.run(CommandRequest(argv: rollback.argv, timeout: timeout))
            update(name) { $0.state = .rolledBack }
            engine.ledger.withLock { ledger in
                if result.outcome.succeeded {
                    ledger.events.append(.warning, "phase \(name) rolled back")
                } else {
                    ledger.events.append(.error, "phase \(name) rollback failed: \(result.outcome.summary)")
                }
            }
        }
    }

    private func update(_ name: String, _ change: (inout PhaseStatus) -> Void) {
        engine.ledger.withLock { ledger in
            if let index = ledger.startup.phases.firstIndex(where: { $0.name == name }) {
                change(&ledger.startup.phases[index])
            }
        }
    }

    /// The chain of phases that determined when start-up finished: from the last phase to end,
    /// follow the dependency that finished last, as `systemd-analyze critical-chain` does.
    private func criticalPath(_ statuses: [PhaseStatus]) -> [String] {
        let byName = Dictionary(uniqueKeysWithValues: statuses.map { ($0.name, $0) })
        func end(_ status: PhaseStatus) -> Int64 { (status.startMs ?? 0) + (status.durationMs ?? 0) }
        guard var current = statuses.max(by: { end($0) < end($1) }) else { return [] }
        var path = [current.name]
        while let previous = current.dependsOn.compactMap({ byName[$0] }).max(by: { end($0) < end($1) }) {
            path.insert(previous.name, at: 0)
            current = previous
        }
        return path
    }
}
