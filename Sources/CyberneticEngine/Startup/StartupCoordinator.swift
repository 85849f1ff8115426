import Foundation

/// Boots the start-up graph (see `StartupPlan`): a phase starts the moment all of its
/// dependencies are up, independent phases run at the same time. When one fails or start-up is
/// interrupted, phases not started are skipped, running ones are cancelled, and completed ones are
/// rolled back in reverse order of completion: their `rollback` commands run, their services stop.
struct StartupCoordinator {
    let engine: Engine
    let plan: StartupPlan

    init(engine: Engine) {
        self.engine = engine
        plan = StartupPlan(configuration: engine.configuration)
    }

    func run() async -> Bool {
        let started = engine.clock.now
        engine.ledger.withLock { $0.startup.state = .starting }
        var succeeded: [String] = []
        var failure: String?

        await withTaskGroup(of: (Int, String?).self) { group in
            var scheduler = PhaseScheduler(plan)
            func launch(_ ready: [Int]) {
                for index in ready {
                    let phase = plan.phases[index]
                    group.addTask { (index, await self.run(phase, at: index, since: started)) }
                }
            }
            launch(scheduler.initial)
            for await (index, error) in group {
                let name = plan.phases[index].name
                if let error {
                    if failure == nil {
                        failure = "phase \(name): \(error)"
                        group.cancelAll()
                    }
                } else {
                    succeeded.append(name)
                    let ready = scheduler.finished(index)
                    if failure == nil && !Task.isCancelled { launch(ready) }
                }
            }
        }

        let total = (engine.clock.now - started).milliseconds
        if failure == nil && succeeded.count < plan.phases.count {
            failure = "start-up interrupted"
        }
        guard let failure else {
            let userPhases = engine.configuration.phases.count
            engine.ledger.withLock { ledger in
                ledger.startup.state = .ready
                ledger.startup.totalMs = total
                ledger.startup.criticalPath = Self.criticalPath(ledger.startup.phases)
                ledger.events.append(.info, "start-up ready in \(total) ms (\(userPhases) workload phase\(userPhases == 1 ? "" : "s"))")
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

    /// Runs one phase. Returns nil once it is up, or the reason it failed.
    private func run(_ phase: StartupPlan.Phase, at index: Int, since start: ContinuousClock.Instant) async -> String? {
        let began = engine.clock.now
        update(phase.name, at: index) {
            $0.state = .running
            $0.startMs = (began - start).milliseconds
        }
        var error: String?
        var note: String?
        var detail = ""
        var timedOut = false
        if let builtIn = phase.builtIn {
            do { note = try await engine.runBuiltIn(builtIn) } catch let failure { error = "\(failure)" }
        } else if let spec = phase.spec {
            let outcome = spec.service ? await startService(spec, began: began) : await runOnce(spec, began: began)
            (error, detail, timedOut) = (outcome.error, outcome.detail, outcome.timedOut)
        }
        let elapsed = (engine.clock.now - began).milliseconds
        let cancelled = Task.isCancelled && error != nil
        // The phase's end and its event go in together: one lock, and no snapshot sees one without the other.
        record(phase.name, at: index) { status, events in
            status.durationMs = elapsed
            status.note = note
            if cancelled {
                status.state = .skipped
                status.error = "cancelled: start-up stopped"
            } else if let error {
                status.state = timedOut ? .timedOut : .failed
                status.error = error
            } else {
                status.state = phase.spec?.service == true ? .healthy : .succeeded
            }
            if let error, !cancelled {
                events.append(.error, "phase \(phase.name) failed: \(error)", detail: detail.isEmpty ? nil : detail)
            } else if error == nil {
                let kind = phase.spec?.service == true ? "is healthy" : "succeeded"
                events.append(phase.builtIn == nil ? .info : .debug,
                              "phase \(phase.name) \(kind) in \(elapsed) ms" + (note.map { ": \($0)" } ?? ""))
            }
        }
        return error
    }

    private struct Outcome {
        var error: String?
        var detail = ""
        var timedOut = false
    }

    private func timeout(_ spec: PhaseSpec) -> Duration { spec.timeout ?? engine.configuration.queue.taskTimeout }

    private func runOnce(_ spec: PhaseSpec, began: ContinuousClock.Instant) async -> Outcome {
        let limit = timeout(spec)
        let result = await CommandRunner.run(CommandRequest(argv: spec.run.argv, timeout: limit))
        let detail = SafeText.tail(result.stderr.bytes, maxLines: 10)
        switch result.outcome {
        case .exited(0): break
        case .timedOut: return Outcome(error: "timed out after \(DurationText.format(limit))", detail: detail, timedOut: true)
        default: return Outcome(error: result.outcome.summary, detail: detail)
        }
        return await checkHealth(spec, began: began)
    }

    /// Starts a service and waits for its health check (or, without one, for it to stay up
    /// through a short grace period). A service that exits before it is ready fails the phase.
    private func startService(_ spec: PhaseSpec, began: ContinuousClock.Instant) async -> Outcome {
        let exitsBefore = engine.services.exitCount(spec.name)
        engine.services.start(spec) { [engine] outcome, willRestart in
            engine.ledger.withLock { ledger in
                let state = ledger.startup.phases.first { $0.name == spec.name }?.state
                guard state == .healthy || state == .running || state == .checking else { return }
                ledger.events.append(.error, "service \(spec.name) exited (\(outcome.summary))"
                                     + (willRestart ? "; restarting" : "; restart limit reached, not restarting"))
                if !willRestart, let index = ledger.startup.phases.firstIndex(where: { $0.name == spec.name }) {
                    ledger.startup.phases[index].state = .failed
                    ledger.startup.phases[index].error = "exited: \(outcome.summary)"
                }
            }
        }
        let services = engine.services
        let died: @Sendable () -> Bool = { services.exitCount(spec.name) > exitsBefore }
        if spec.health == nil {
            try? await Task.sleep(for: .milliseconds(300))
            return died() ? Outcome(error: "the service exited while starting") : Outcome()
        }
        let outcome = await checkHealth(spec, began: began, giveUpIf: died)
        if outcome.error != nil { await engine.services.stop(spec.name) }
        return outcome
    }

    private func checkHealth(_ spec: PhaseSpec, began: ContinuousClock.Instant, giveUpIf: @escaping @Sendable () -> Bool = { false }) async -> Outcome {
        guard let health = spec.health else { return Outcome() }
        update(spec.name) { $0.state = .checking }
        let limit = timeout(spec)
        if let error = await HealthCheck(health).wait(until: began + limit, clock: engine.clock, giveUpIf: giveUpIf) {
            return Outcome(error: error, timedOut: engine.clock.now >= began + limit)
        }
        return Outcome()
    }

    private func rollBack(_ names: [String]) async {
        for name in names {
            guard let spec = plan.phases.first(where: { $0.name == name })?.spec else {
                update(name) { $0.state = .rolledBack }
                continue
            }
            update(name) { $0.state = .rollingBack }
            if spec.service { await engine.services.stop(name) }
            if let rollback = spec.rollback {
                let result = await CommandRunner.run(CommandRequest(argv: rollback.argv, timeout: timeout(spec)))
                engine.ledger.withLock { ledger in
                    if result.outcome.succeeded {
                        ledger.events.append(.warning, "phase \(name) rolled back")
                    } else {
                        ledger.events.append(.error, "phase \(name) rollback failed: \(result.outcome.summary)")
                    }
                }
            } else if spec.service {
                engine.ledger.withLock { $0.events.append(.warning, "phase \(name) rolled back: service stopped") }
            }
            update(name) { $0.state = .rolledBack }
        }
    }

    /// The ledger lists the phases in plan order, so `index` finds a phase without a search;
    /// the name is checked all the same.
    private func update(_ name: String, at index: Int? = nil, _ change: (inout PhaseStatus) -> Void) {
        record(name, at: index) { status, _ in change(&status) }
    }

    private func record(_ name: String, at index: Int?, _ change: (inout PhaseStatus, inout EventLog) -> Void) {
        engine.ledger.withLock { ledger in
            if let index, ledger.startup.phases.indices.contains(index), ledger.startup.phases[index].name == name {
                change(&ledger.startup.phases[index], &ledger.events)
            } else if let found = ledger.startup.phases.firstIndex(where: { $0.name == name }) {
                change(&ledger.startup.phases[found], &ledger.events)
            }
        }
    }

    /// The chain of phases that determined when start-up finished: from the last phase to end,
    /// follow the dependency that finished last, as `systemd-analyze critical-chain` does.
    static func criticalPath(_ statuses: [PhaseStatus]) -> [String] {
        let byName = Dictionary(uniqueKeysWithValues: statuses.map { ($0.name, $0) })
        func end(_ status: PhaseStatus) -> Int64 { status.endMs ?? 0 }
        guard var current = statuses.max(by: { end($0) < end($1) }) else { return [] }
        var path = [current.name]
        while let previous = current.dependsOn.compactMap({ byName[$0] }).max(by: { end($0) < end($1) }) {
            path.insert(previous.name, at: 0)
            current = previous
        }
        return path
    }
}
