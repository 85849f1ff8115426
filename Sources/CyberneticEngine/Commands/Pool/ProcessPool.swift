import Foundation
import Histogram
import Subprocess
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What the pool is doing right now, per runner: for tests, diagnostics and `exec --stats`.
public struct ProcessPoolDiagnostics: Sendable {
    public struct Runner: Sendable {
        public var runtime: String
        public var pid: Int32?
        /// "booting", "warm", "busy" (assigned; "running" once the job started), "retiring".
        public var phase: String
    }
    public var runners: [Runner]
    /// Live processes now (booting, warm, busy and retiring alike).
    public var live: Int
    /// The most live processes there have ever been at once.
    public var highWater: Int
}

/// Pre-booted, single-use interpreter processes (`sh`, `node`, `python3`) that take one job each.
///
/// `run` returns nil for anything a warm runner cannot run exactly as a direct spawn would (the
/// caller then spawns it with `CommandRunner`). Otherwise the job goes to a spare runner of its
/// runtime, to a new one when none is spare, or waits while `max` processes are all busy. After
/// its job a runner exits; replacements boot in the background so that every runtime in use keeps
/// `min` spares, and spares beyond `min` exit after `idleTimeout`.
///
/// Self-healing: a runner that crashes (dies before it is ready, or before its job) is replaced
/// (to keep `min` spares) only after an exponential backoff, and past the restart intensity the
/// runtime's circuit opens (see `RuntimeCircuit`): `run` returns nil for it, so its commands are
/// spawned directly, until a probe runner boots after the cool-down. What the healer did is
/// collected with `drainHealingActions()`.
public final class ProcessPool: Sendable {
    private let state: Mutex<State>
    private let bootstraps: Bootstraps?
    private let policy: RestartPolicy
    private let janitor = Mutex<Task<Void, Never>?>(nil)
    private static let clock = ContinuousClock()

    private struct Entry {
        let runner: WarmRunner
        var pid: pid_t?
        var ready = false
        var assigned = false
        var retiring = false
        var idleSince: ContinuousClock.Instant
        let spawnedAt: ContinuousClock.Instant
    }

    private struct KeyState {
        let key: RuntimeKey
        var spawned = 0
        var crashes = 0
        var jobs = 0
        var waits = 0
        var retries = 0
        var wait = Ledger.histogram()
        var boot = Ledger.histogram()
        var circuit: RuntimeCircuit

        init(key: RuntimeKey, policy: RestartPolicy) {
            self.key = key
            circuit = RuntimeCircuit(policy: policy)
        }

        var subject: String { "runner \(key.label)" }
    }

    private struct Waiter {
        let id: Int
        let key: RuntimeKey
        let continuation: CheckedContinuation<WarmRunner?, Never>
        let since: ContinuousClock.Instant
        var queued = false
    }

    private struct State {
        var settings: ProcessPoolSettings
        /// Milliseconds from asking for a runner to the job starting on it, per runtime kind,
        /// since the optimizer last collected them.
        var recentWaits: [String: [Double]] = [:]
        var entries: [Int: Entry] = [:]
        var keys: [RuntimeKey: KeyState] = [:]
        var waiters: [Waiter] = []
        var cancelledWaiters: Set<Int> = []
        var nextID = 0
        var highWater = 0
        var shuttingDown = false
        /// The engine's environment, the base every runner's boot environment is computed from.
        var base: [String: String]
        /// What the healer did, until the engine collects it.
        var healing = PendingHealing()
    }

    private enum Action {
        case boot(WarmRunner)
        case resume(CheckedContinuation<WarmRunner?, Never>, WarmRunner?)
        case retire(WarmRunner)
        /// Reconcile again after this long (a backoff or a circuit's cool-down ends).
        case wake(Duration)
    }

    public convenience init(settings: ProcessPoolSettings) {
        self.init(settings: settings, bootstraps: Bootstraps.shared, policy: RestartPolicy())
    }

    /// Tests pass their own bootstraps (say, one that crashes at boot) and a quicker policy.
    init(settings: ProcessPoolSettings, bootstraps: Bootstraps?, policy: RestartPolicy) {
        // Writing a job to a runner that has just died must be an error, not the end of the engine.
        // Children get default signal handling back at spawn (POSIX_SPAWN_SETSIGDEF).
        signal(SIGPIPE, SIG_IGN)
        self.bootstraps = bootstraps
        self.policy = policy
        state = Mutex(State(settings: Self.sanitized(settings), base: ProcessInfo.processInfo.environment))
        startJanitor()
    }

    /// Whether the runner bootstraps were found; without them `run` always returns nil.
    public var isAvailable: Bool { bootstraps != nil }

    private static func sanitized(_ settings: ProcessPoolSettings) -> ProcessPoolSettings {
        var s = settings
        s.max = Swift.max(1, s.max)
        s.min = Swift.max(0, Swift.min(s.min, s.max))
        return s
    }

    // MARK: running a job

    /// Runs `request` on a warm runner, or returns nil when it is not something a warm runner runs
    /// (the caller spawns it directly then). Same result shape as `CommandRunner.run`.
    public func run(_ request: CommandRequest) async -> CommandResult? {
        guard bootstraps != nil else { return nil }
        let base = state.withLock { $0.base }
        guard let job = WarmJobPlanner.plan(request, base: base) else { return nil }
        if let directory = request.workingDirectory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
            else { return nil }
        }
        let started = Self.clock.now
        for attempt in 0..<2 {
            guard let runner = await acquire(job.key) else {
                if Task.isCancelled { return Self.cancelledResult(request, since: started) }
                return nil
            }
            if Task.isCancelled {
                release(runner)
                return Self.cancelledResult(request, since: started)
            }
            let report = await execute(job, on: runner, request: request)
            if let jobStart = report.startedAt {
                let waited = (jobStart - started).milliseconds
                state.withLock { state in
                    var samples = state.recentWaits[job.key.kind.rawValue, default: []]
                    if samples.count < 4096 { samples.append(Double(waited)) }
                    state.recentWaits[job.key.kind.rawValue] = samples
                }
            }
            let outcome: CommandOutcome
            switch report.stop {
            case .timedOut?: outcome = .timedOut
            case .cancelled?: outcome = .cancelled
            case .retired?, nil:
                guard report.started else {
                    // Died before its job began: nothing ran, so running it again is safe.
                    if attempt == 0 {
                        state.withLock { $0.keys[job.key]?.retries += 1 }
                        continue
                    }
                    return nil
                }
                switch report.exit {
                case .exited(let code): outcome = .exited(code)
                case .signaled(let signal): outcome = .signaled(signal)
                case .failedToSpawn(let reason): outcome = .failedToStart(reason)
                }
            }
            return CommandResult(outcome: outcome, stdout: report.stdout, stderr: report.stderr,
                                 duration: Self.clock.now - started)
        }
        return nil
    }

    private static func cancelledResult(_ request: CommandRequest, since: ContinuousClock.Instant) -> CommandResult {
        CommandResult(outcome: .cancelled, stdout: OutputTail(limit: request.outputLimit),
                      stderr: OutputTail(limit: request.outputLimit), duration: clock.now - since)
    }

    /// Sends the job, enforces the timeout and cancellation by ending the runner's process group.
    private func execute(_ job: WarmJob, on runner: WarmRunner, request: CommandRequest) async -> RunnerReport {
        state.withLock { $0.keys[job.key]?.jobs += 1 }
        runner.assign(job.payload, outputLimit: request.outputLimit, passThrough: request.passThrough,
                      grace: request.gracePeriod, memoryPool: request.memoryPool)
        enum Race: Sendable { case done(RunnerReport), timedOut, cancelled }
        return await withTaskCancellationHandler {
            await withTaskGroup(of: Race.self) { group in
                group.addTask { .done(await runner.report()) }
                group.addTask {
                    do {
                        try await Task.sleep(for: request.timeout)
                        return .timedOut
                    } catch {
                        return .cancelled
                    }
                }
                while let event = await group.next() {
                    switch event {
                    case .done(let report):
                        group.cancelAll()
                        return report
                    case .timedOut:
                        await runner.terminate(.timedOut, grace: request.gracePeriod)
                    case .cancelled:
                        // Either the job finished (the group cancelled this timer) or the caller
                        // was cancelled (the handler below is ending the runner): wait for the report.
                        break
                    }
                }
                return await runner.report()
            }
        } onCancel: {
            Task { await runner.terminate(.cancelled, grace: request.gracePeriod) }
        }
    }

    // MARK: getting a runner

    private func acquire(_ key: RuntimeKey) async -> WarmRunner? {
        let id: Int? = state.withLock { state in
            if state.shuttingDown { return nil }
            if state.keys[key]?.circuit.servesJobs == false { return nil }
            if state.keys[key] == nil { state.keys[key] = KeyState(key: key, policy: policy) }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return nil }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<WarmRunner?, Never>) in
                let (actions, cancelled) = state.withLock { state -> ([Action], Bool) in
                    if state.cancelledWaiters.remove(id) != nil || state.shuttingDown { return ([], true) }
                    state.waiters.append(Waiter(id: id, key: key, continuation: continuation, since: Self.clock.now))
                    let actions = reconcile(&state)
                    // Still waiting after a full pass: every slot is busy.
                    if let index = state.waiters.firstIndex(where: { $0.id == id }) {
                        state.waiters[index].queued = true
                        state.keys[key]?.waits += 1
                    }
                    return (actions, false)
                }
                if cancelled { continuation.resume(returning: nil) }
                perform(actions)
            }
        } onCancel: {
            let continuation: CheckedContinuation<WarmRunner?, Never>? = state.withLock { state in
                if let index = state.waiters.firstIndex(where: { $0.id == id }) {
                    return state.waiters.remove(at: index).continuation
                }
                state.cancelledWaiters.insert(id)
                return nil
            }
            continuation?.resume(returning: nil)
        }
    }

    /// A runner taken but not used (the caller was cancelled meanwhile) becomes a spare again.
    private func release(_ runner: WarmRunner) {
        let actions = state.withLock { state -> [Action] in
            guard state.entries[runner.serial] != nil else { return [] }
            state.entries[runner.serial]?.assigned = false
            state.entries[runner.serial]?.idleSince = Self.clock.now
            return reconcile(&state)
        }
        perform(actions)
    }

    // MARK: bookkeeping

    /// Brings the pool in line with its waiters and settings: serve waiters (spare, else a new
    /// runner while under `max`), make room for those still waiting by retiring spares of other
    /// runtimes, then refill every runtime in use to `min` spares.
    private func reconcile(_ state: inout State) -> [Action] {
        let now = Self.clock.now
        advanceCircuits(&state, now: now)
        var actions: [Action] = []
        let settings = state.settings

        var stillWaiting: [Waiter] = []
        for waiter in state.waiters {
            var runner: WarmRunner?
            let circuit = state.keys[waiter.key]?.circuit
            if circuit?.servesJobs == false {
                // Open or probing: the job is spawned directly instead.
                actions.append(.resume(waiter.continuation, nil))
                continue
            }
            if let serial = spare(in: state, for: waiter.key) {
                state.entries[serial]?.assigned = true
                runner = state.entries[serial]?.runner
            } else if state.entries.count < settings.max, !state.shuttingDown {
                // Even during a backoff: the backoff paces the pool's own replacements, which
                // nothing else bounds; a job's boot is bounded by the jobs, and its crashes count
                // towards the restart intensity like any other.
                let fresh = makeRunner(&state, key: waiter.key, assigned: true, now: now)
                actions.append(.boot(fresh))
                runner = fresh
            }
            if let runner {
                state.keys[waiter.key]?.wait.record(UInt64((now - waiter.since).microseconds))
                actions.append(.resume(waiter.continuation, runner))
            } else {
                stillWaiting.append(waiter)
            }
        }
        state.waiters = stillWaiting

        if !stillWaiting.isEmpty {
            let retiring = state.entries.values.filter(\.retiring).count
            let needed = stillWaiting.count - retiring
            if needed > 0 {
                let idle = state.entries.filter { !$0.value.assigned && !$0.value.retiring }
                    .sorted { $0.value.idleSince < $1.value.idleSince }
                for (serial, entry) in idle.prefix(needed) {
                    state.entries[serial]?.retiring = true
                    actions.append(.retire(entry.runner))
                }
            }
        } else if !state.shuttingDown {
            // Over `max` (it was lowered): spares go first.
            var excess = state.entries.values.filter { !$0.retiring }.count - settings.max
            if excess > 0 {
                for (serial, entry) in state.entries where excess > 0 && !entry.assigned && !entry.retiring {
                    state.entries[serial]?.retiring = true
                    actions.append(.retire(entry.runner))
                    excess -= 1
                }
            }
            let keys = state.keys.values.filter { $0.circuit.mayBoot(at: now) }
                .map(\.key).sorted { $0.label < $1.label }
            var progress = true
            while progress && state.entries.count < settings.max {
                progress = false
                for key in keys where state.entries.count < settings.max {
                    guard let circuit = state.keys[key]?.circuit, circuit.mayBoot(at: now) else { continue }
                    // Half-open: one probe runner, whatever `min` says.
                    if spareCount(in: state, for: key) < settings.minimum(for: key.kind.rawValue) || circuit.state == .halfOpen {
                        actions.append(.boot(makeRunner(&state, key: key, assigned: false, now: now)))
                        progress = true
                    }
                }
            }
        }
        state.highWater = Swift.max(state.highWater, state.entries.count)
        return actions
    }

    /// The spare to hand out: a booted one before a booting one, the most recently idle first
    /// (so the others age and the idle timeout can thin them out).
    private func spare(in state: State, for key: RuntimeKey) -> Int? {
        state.entries.filter { $0.value.runner.key == key && !$0.value.assigned && !$0.value.retiring }
            .max { a, b in
                if a.value.ready != b.value.ready { return !a.value.ready }
                return a.value.idleSince < b.value.idleSince
            }?.key
    }

    private func spareCount(in state: State, for key: RuntimeKey) -> Int {
        state.entries.values.filter { $0.runner.key == key && !$0.assigned && !$0.retiring }.count
    }

    private func makeRunner(_ state: inout State, key: RuntimeKey, assigned: Bool,
                            now: ContinuousClock.Instant) -> WarmRunner {
        state.nextID += 1
        let runner = WarmRunner(serial: state.nextID, key: key)
        state.entries[runner.serial] = Entry(runner: runner, assigned: assigned, idleSince: now, spawnedAt: now)
        state.keys[key]?.spawned += 1
        state.keys[key]?.circuit.booting(runner.serial)
        return runner
    }

    // MARK: healing

    /// Half-opens circuits whose cool-down is over (the refill then boots their probe).
    private func advanceCircuits(_ state: inout State, now: ContinuousClock.Instant) {
        for key in state.keys.keys {
            guard let subject = state.keys[key]?.subject,
                  let action = state.keys[key]?.circuit.advance(subject, at: now) else { continue }
            state.healing.append(action)
        }
    }

    /// A runner died by itself before its job: back off before the next boot of its runtime, or
    /// open the runtime's circuit and retire its spares when it keeps crashing.
    private func crashed(_ runner: WarmRunner, why: String, _ state: inout State, now: ContinuousClock.Instant) -> [Action] {
        guard let subject = state.keys[runner.key]?.subject,
              let (action, wake) = state.keys[runner.key]?.circuit.crashed(subject, why: why, at: now) else { return [] }
        if let action { state.healing.append(action) }
        var actions: [Action] = wake.map { [.wake($0)] } ?? []
        if state.keys[runner.key]?.circuit.state == .open {
            for (serial, entry) in state.entries where entry.runner.key == runner.key && !entry.assigned && !entry.retiring {
                state.entries[serial]?.retiring = true
                actions.append(.retire(entry.runner))
            }
        }
        return actions
    }

    private static func describe(_ exit: RunnerExit) -> String {
        switch exit {
        case .exited(let code): "exited with code \(code)"
        case .signaled(let signal): "was killed by signal \(signal)"
        case .failedToSpawn(let reason): "could not start (\(reason))"
        }
    }

    /// What the healer did since the last call, oldest first.
    public func drainHealingActions() -> [HealingAction] {
        state.withLock { $0.healing.drain() }
    }

    private func wake() {
        perform(state.withLock { reconcile(&$0) })
    }

    private func perform(_ actions: [Action]) {
        for action in actions {
            switch action {
            case .boot(let runner): boot(runner)
            case .resume(let continuation, let runner): continuation.resume(returning: runner)
            case .retire(let runner): runner.retire()
            case .wake(let delay):
                Task.detached { [weak self] in
                    try? await Task.sleep(for: delay)
                    self?.wake()
                }
            }
        }
    }

    private func boot(_ runner: WarmRunner) {
        guard let bootstraps else { return }
        let base = state.withLock { $0.base }
        let overrides = runner.key.spawnOverrides(base: base)
        let environment = Environment.inherit.updating(Dictionary(uniqueKeysWithValues: overrides.map {
            (Environment.Key(stringLiteral: $0.key), $0.value)
        }))
        runner.launch(arguments: bootstraps.arguments(for: runner.key), environment: environment) { [weak self] event in
            self?.handle(event, from: runner)
        }
    }

    private func handle(_ event: RunnerEvent, from runner: WarmRunner) {
        let serial = runner.serial
        switch event {
        case .spawned(let pid):
            state.withLock { $0.entries[serial]?.pid = pid }
        case .ready:
            let actions = state.withLock { state -> [Action] in
                guard let entry = state.entries[serial] else { return [] }
                let now = Self.clock.now
                state.entries[serial]?.ready = true
                if !entry.assigned { state.entries[serial]?.idleSince = now }
                state.keys[runner.key]?.boot.record(UInt64((now - entry.spawnedAt).microseconds))
                guard let subject = state.keys[runner.key]?.subject,
                      let closed = state.keys[runner.key]?.circuit.booted(subject, bootTime: now - entry.spawnedAt)
                else { return [] }
                // A probe got ready: the circuit closed, so refill the runtime's spares.
                state.healing.append(closed)
                return reconcile(&state)
            }
            perform(actions)
        case .exited(let report):
            let actions = state.withLock { state -> [Action] in
                state.entries.removeValue(forKey: serial)
                let now = Self.clock.now
                var actions: [Action] = []
                if report.stop == nil {
                    if !report.ready {
                        state.keys[runner.key]?.crashes += 1
                        actions = crashed(runner, why: Self.describe(report.exit) + " before it was ready", &state, now: now)
                    } else if !report.started {
                        state.keys[runner.key]?.crashes += 1
                        actions = crashed(runner, why: Self.describe(report.exit) + " after booting, before its job", &state, now: now)
                    } else if case .signaled = report.exit {
                        // Counted, but not held against the runtime: the job's own command got the signal.
                        state.keys[runner.key]?.crashes += 1
                    }
                } else {
                    state.keys[runner.key]?.circuit.ended(serial)
                }
                return actions + reconcile(&state)
            }
            perform(actions)
        }
    }

    // MARK: janitor

    private func startJanitor() {
        let task = Task.detached { [weak self] in
            while !Task.isCancelled {
                guard let interval = self?.janitorInterval else { return }
                try? await Task.sleep(for: interval)
                guard let self else { return }
                self.reapIdle()
            }
        }
        janitor.withLock { $0 = task }
    }

    private var janitorInterval: Duration {
        let timeout = state.withLock { $0.settings.idleTimeout }
        return Swift.min(Swift.max(timeout / 4, .milliseconds(20)), .seconds(1))
    }

    /// Spares beyond `min` per runtime exit once idle for `idleTimeout`.
    private func reapIdle() {
        let actions = state.withLock { state -> [Action] in
            let now = Self.clock.now
            var actions: [Action] = []
            for key in state.keys.keys {
                let spares = state.entries.filter { $0.value.runner.key == key && !$0.value.assigned && !$0.value.retiring }
                    .sorted { $0.value.idleSince > $1.value.idleSince }
                for (serial, entry) in spares.dropFirst(state.settings.minimum(for: key.kind.rawValue))
                where now - entry.idleSince >= state.settings.idleTimeout {
                    state.entries[serial]?.retiring = true
                    actions.append(.retire(entry.runner))
                }
            }
            return actions + reconcile(&state)
        }
        perform(actions)
    }

    // MARK: control

    /// Boots spares ahead of time for runtimes a workload will use ("sh", "node", "python3" or an
    /// interpreter path): `spares` each (default `min`), within `max`. Spares beyond `min` exit
    /// after the idle timeout if no job takes them. Returns the runtimes it could prewarm.
    @discardableResult
    public func prewarm(runtimes: [String], spares: Int? = nil) -> [String] {
        guard bootstraps != nil else { return [] }
        let actions = state.withLock { state -> [Action] in
            guard !state.shuttingDown else { return [] }
            let now = Self.clock.now
            var actions: [Action] = []
            for name in runtimes {
                guard let kind = WarmRuntimeKind.of(program: name), let interpreter = ExecutableLookup.cached(name)
                else { continue }
                let key = RuntimeKey(kind: kind, interpreter: interpreter, program: name, overrides: [:], base: state.base)
                if state.keys[key] == nil { state.keys[key] = KeyState(key: key, policy: policy) }
                let wanted = spares ?? state.settings.minimum(for: key.kind.rawValue)
                while spareCount(in: state, for: key) < wanted && state.entries.count < state.settings.max,
                      state.keys[key]?.circuit.mayBoot(at: now) == true {
                    actions.append(.boot(makeRunner(&state, key: key, assigned: false, now: now)))
                }
            }
            return actions + reconcile(&state)
        }
        perform(actions)
        return actions.compactMap { if case .boot(let r) = $0 { r.key.label } else { nil } }
            .reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    }

    /// New limits, taken live (the optimizer changes `min`; a lower `max` retires spares first).
    public func update(settings: ProcessPoolSettings) {
        let actions = state.withLock { state -> [Action] in
            state.settings = Self.sanitized(settings)
            return reconcile(&state)
        }
        perform(actions)
    }

    public var settings: ProcessPoolSettings { state.withLock { $0.settings } }

    /// Runner waits (ms, request to job start) per runtime kind since the last call; the
    /// optimizer's window of "how long did work wait for a warm interpreter".
    public func drainRunnerWaits() -> [String: [Double]] {
        state.withLock { state in
            defer { state.recentWaits = [:] }
            return state.recentWaits
        }
    }

    /// Per runtime: warm, busy, booting, spawned, crashes, jobs, waits, retries, wait and boot times.
    public func snapshot() -> [RuntimeStats] {
        state.withLock { state in
            var byLabel: [String: RuntimeStats] = [:]
            var waits: [String: Histogram<UInt64>] = [:]
            var boots: [String: Histogram<UInt64>] = [:]
            for keyState in state.keys.values {
                let label = keyState.key.label
                var stats = byLabel[label] ?? RuntimeStats(runtime: label)
                stats.spawned += keyState.spawned
                stats.crashes += keyState.crashes
                stats.jobs += keyState.jobs
                stats.waits += keyState.waits
                stats.retries += keyState.retries
                stats.restarts += keyState.circuit.tracker.restarts
                stats.circuitOpens += keyState.circuit.opened
                stats.circuit = CircuitState.worse(stats.circuit, keyState.circuit.state)
                byLabel[label] = stats
                if waits[label] == nil { waits[label] = Ledger.histogram() }
                if boots[label] == nil { boots[label] = Ledger.histogram() }
                waits[label]?.add(keyState.wait)
                boots[label]?.add(keyState.boot)
            }
            for entry in state.entries.values where !entry.retiring {
                let label = entry.runner.key.label
                if entry.assigned {
                    byLabel[label]?.busy += 1
                } else if entry.ready {
                    byLabel[label]?.warm += 1
                } else {
                    byLabel[label]?.booting += 1
                }
            }
            for label in byLabel.keys {
                if let histogram = waits[label] { byLabel[label]?.waitMs = Ledger.percentiles(histogram) }
                if let histogram = boots[label] { byLabel[label]?.bootMs = Ledger.percentiles(histogram) }
            }
            return byLabel.values.sorted { $0.runtime < $1.runtime }
        }
    }

    public func diagnostics() -> ProcessPoolDiagnostics {
        state.withLock { state in
            let runners = state.entries.sorted { $0.key < $1.key }.map { _, entry in
                let phase = entry.retiring ? "retiring"
                    : entry.assigned ? (entry.runner.hasStarted ? "running" : "busy")
                    : entry.ready ? "warm" : "booting"
                return ProcessPoolDiagnostics.Runner(runtime: entry.runner.key.label, pid: entry.pid, phase: phase)
            }
            return ProcessPoolDiagnostics(runners: runners, live: state.entries.count, highWater: state.highWater)
        }
    }

    /// Ends every runner, idle or busy (a running job's result says cancelled), and returns once
    /// all of them and their process groups are gone. `run` returns nil afterwards.
    public func shutdown() async {
        janitor.withLock { $0?.cancel() }
        let (waiters, idle, busy) = state.withLock { state -> ([Waiter], [WarmRunner], [WarmRunner]) in
            state.shuttingDown = true
            let waiters = state.waiters
            state.waiters = []
            var idle: [WarmRunner] = []
            var busy: [WarmRunner] = []
            for (serial, entry) in state.entries {
                if entry.assigned { busy.append(entry.runner) } else if !entry.retiring { idle.append(entry.runner) }
                state.entries[serial]?.retiring = true
            }
            return (waiters, idle, busy)
        }
        for waiter in waiters { waiter.continuation.resume(returning: nil) }
        for runner in idle { runner.retire() }
        await withTaskGroup(of: Void.self) { group in
            for runner in busy { group.addTask { await runner.terminate(.cancelled, grace: .seconds(2)) } }
        }
        while state.withLock({ !$0.entries.isEmpty }) {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}

fileprivate extension Duration {
    var microseconds: Int64 {
        let (seconds, attoseconds) = components
        return Swift.max(0, seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
    }
}
