import Foundation

/// Everything a front end shows, taken at one moment under one lock, so no number in it is torn.
///
/// Every pane has its own field group; groups whose subsystem has not landed yet hold zeros and
/// empty lists rather than being absent, so front ends and report readers never special-case them.
public struct EngineSnapshot: Sendable, Codable, Equatable {
    public var sequence: UInt64
    public var time: Date
    public var state: EngineState
    public var uptimeMs: Int64
    public var source: String
    public var intakePaused: Bool
    public var totals: Totals
    public var tasks: [TaskStats]
    public var startup: StartupSnapshot
    public var memory: MemorySnapshot
    public var processPool: ProcessPoolSnapshot
    public var cache: CacheSnapshot
    public var queue: QueueSnapshot
    public var optimizations: OptimizationsSnapshot
    /// Newest last; at most `EventLog.capacity`.
    public var events: [EngineEvent]
    /// What the healer did (restart backoffs, circuits opening and closing), newest last; at most
    /// `Ledger.healingCapacity`.
    public var healing: [HealingAction] = []
}

public enum EngineState: String, Sendable, Codable {
    /// Start-up phases are running.
    case starting
    /// Tasks are scheduled or running.
    case running
    /// Nothing is running and nothing more is scheduled.
    case idle
    /// Start-up failed; no task will run.
    case failed
    case stopping
    case stopped
}

/// Run accounting. Invariant: `submitted == completed + failed + timedOut + rejected + cancelled + inFlight + queued`,
/// and once the engine has stopped the last two are zero.
public struct Totals: Sendable, Codable, Equatable {
    public var submitted = 0
    public var completed = 0
    public var failed = 0
    public var timedOut = 0
    public var rejected = 0
    public var cancelled = 0

    public init() {}

    public var finished: Int { completed + failed + timedOut + rejected + cancelled }
}

public struct TaskStats: Sendable, Codable, Equatable {
    public var name: String
    public var command: String
    public var runs = 0
    public var failures = 0
    public var timeouts = 0
    public var lastExitCode: Int? = nil
    public var cacheHits = 0
    public var running = 0
    public var lastDurationMs: Int64? = nil
    public var totalDurationMs: Int64 = 0
    /// The end of the last failed run's stderr, sanitized, for CI logs and JUnit.
    public var lastFailure: String? = nil

    public init(name: String, command: String) {
        self.name = name
        self.command = command
    }

    private enum CodingKeys: String, CodingKey {
        case name, command, runs, failures, timeouts, lastExitCode, cacheHits, running, lastDurationMs, totalDurationMs, lastFailure
    }

    /// Absent values are written as `null`, as the report contract shows them.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(command, forKey: .command)
        try c.encode(runs, forKey: .runs)
        try c.encode(failures, forKey: .failures)
        try c.encode(timeouts, forKey: .timeouts)
        try c.encode(lastExitCode, forKey: .lastExitCode)
        try c.encode(cacheHits, forKey: .cacheHits)
        try c.encode(running, forKey: .running)
        try c.encode(lastDurationMs, forKey: .lastDurationMs)
        try c.encode(totalDurationMs, forKey: .totalDurationMs)
        try c.encode(lastFailure, forKey: .lastFailure)
    }
}

public struct QueueSnapshot: Sendable, Codable, Equatable {
    public var depth = 0
    public var maxDepth = 0
    public var capacity = 0
    public var inFlight = 0
    /// The most runs ever in flight at once: never above the limit in force at the time.
    public var maxInFlight = 0
    public var limit = 0
    /// "static", "aimd" or "gradient2".
    public var limiter = "static"
    public var paused = false
    public var throughputPerSecond: Double = 0
    public var waitMs = Percentiles()
    public var runMs = Percentiles()
    /// Lowest priority first: low, normal, high, critical.
    public var byPriority: [PriorityQueueStats] = []
    public init() {}
}

public struct PriorityQueueStats: Sendable, Codable, Equatable {
    public var priority: TaskPriority
    public var depth = 0
    public var maxDepth = 0
    public var finished = 0
    public var waitMs = Percentiles()
    public var runMs = Percentiles()

    public init(priority: TaskPriority) { self.priority = priority }
}

public struct Percentiles: Sendable, Codable, Equatable {
    public var p50: Double = 0
    public var p95: Double = 0
    public var p99: Double = 0
    public init(p50: Double = 0, p95: Double = 0, p99: Double = 0) {
        self.p50 = p50
        self.p95 = p95
        self.p99 = p99
    }
}

public struct StartupSnapshot: Sendable, Codable, Equatable {
    public var state: StartupState = .pending
    public var totalMs: Int64 = 0
    public var criticalPath: [String] = []
    public var phases: [PhaseStatus] = []
    public init() {}
}

public enum StartupState: String, Sendable, Codable {
    case pending, starting, ready, failed, rolledBack = "rolled-back"
}

public struct PhaseStatus: Sendable, Codable, Equatable {
    public var name: String
    public var dependsOn: [String]
    public var state: PhaseState
    public var startMs: Int64?
    public var durationMs: Int64?
    public var error: String?
    /// Cybernetic's own phases (`engine:…`), as opposed to the workload's.
    public var builtIn = false
    public var service = false
    /// For a pending phase: the dependencies it is still waiting on.
    public var waitingOn: [String] = []
    /// A short outcome worth showing, such as "412 entries, 3.1MiB" or "not configured".
    public var note: String?

    public init(name: String, dependsOn: [String], state: PhaseState = .pending) {
        self.name = name
        self.dependsOn = dependsOn
        self.state = state
    }

    public var endMs: Int64? { startMs.flatMap { start in durationMs.map { start + $0 } } }

    private enum CodingKeys: String, CodingKey {
        case name, dependsOn, state, startMs, durationMs, endMs, error, builtIn, service, waitingOn, note
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        dependsOn = try c.decode([String].self, forKey: .dependsOn)
        state = try c.decode(PhaseState.self, forKey: .state)
        startMs = try c.decodeIfPresent(Int64.self, forKey: .startMs)
        durationMs = try c.decodeIfPresent(Int64.self, forKey: .durationMs)
        error = try c.decodeIfPresent(String.self, forKey: .error)
        builtIn = try c.decodeIfPresent(Bool.self, forKey: .builtIn) ?? false
        service = try c.decodeIfPresent(Bool.self, forKey: .service) ?? false
        waitingOn = try c.decodeIfPresent([String].self, forKey: .waitingOn) ?? []
        note = try c.decodeIfPresent(String.self, forKey: .note)
    }

    /// Writes absent values as `null` (the report contract shows `"error": null`), so readers
    /// can index the keys without checking for them.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(dependsOn, forKey: .dependsOn)
        try container.encode(state, forKey: .state)
        try container.encode(startMs, forKey: .startMs)
        try container.encode(durationMs, forKey: .durationMs)
        try container.encode(endMs, forKey: .endMs)
        try container.encode(error, forKey: .error)
        try container.encode(builtIn, forKey: .builtIn)
        try container.encode(service, forKey: .service)
        try container.encode(waitingOn, forKey: .waitingOn)
        try container.encode(note, forKey: .note)
    }
}

public enum PhaseState: String, Sendable, Codable {
    case pending, running, checking, succeeded, failed, timedOut = "timed-out", skipped, rollingBack = "rolling-back", rolledBack = "rolled-back"
    /// A service phase whose process is up and whose health check passed.
    case healthy
    /// A service phase stopped at shutdown.
    case stopped

    /// Done and good: dependents may start.
    public var isUp: Bool { self == .succeeded || self == .healthy }
}

public struct MemorySnapshot: Sendable, Codable, Equatable {
    public var classes: [MemoryClassStats] = []
    /// Whether captured output and cached results use the pools (the `memory_pool` flag).
    public var pooled = true
    public var defragmentations = 0
    public var slabsReleased = 0
    public init() {}
}

public struct MemoryClassStats: Sendable, Codable, Equatable {
    public var name: String
    public var blockSize: Int
    public var capacity: Int
    public var inUse = 0
    public var highWater = 0
    /// Requests served from the heap because the class was full (a running count).
    public var overflow = 0
    public var slabs = 0
    public var blocksPerSlab = 0
    /// inUse / (blocksPerSlab × slabs), as jemalloc reports it.
    public var utilisation: Double = 0
    /// What owners asked for vs what their blocks hold: the gap is internal fragmentation.
    public var bytesRequested = 0
    public var bytesHeld = 0

    public var fragmentation: Double { bytesHeld == 0 ? 0 : 1 - Double(bytesRequested) / Double(bytesHeld) }

    public init(name: String, blockSize: Int, capacity: Int) {
        self.name = name
        self.blockSize = blockSize
        self.capacity = capacity
    }
}

public struct ProcessPoolSnapshot: Sendable, Codable, Equatable {
    public var runtimes: [RuntimeStats] = []
    /// Runs that went to a warm runner, and runs spawned directly (cache hits are neither).
    public var warmRuns = 0
    public var directRuns = 0
    /// `npx NAME` runs answered from a local node_modules/.bin without starting npx.
    public var npxFastPath = 0
    public init() {}
}

public struct RuntimeStats: Sendable, Codable, Equatable {
    public var runtime: String
    /// Booted, idle, waiting for a job.
    public var warm = 0
    /// Holding a job (or booting for one).
    public var busy = 0
    /// Still booting, no job yet.
    public var booting = 0
    public var spawned = 0
    /// Runners that died by themselves: before their job, while booting, or by a signal during a job.
    public var crashes = 0
    /// Jobs sent to a runner.
    public var jobs = 0
    /// Jobs that found all `max` runners busy and waited for one.
    public var waits = 0
    /// Jobs re-sent to another runner because theirs died before starting them.
    public var retries = 0
    /// Time from a job's arrival to a runner taking it.
    public var waitMs = Percentiles()
    /// Time from spawning a runner to its interpreter being ready.
    public var bootMs = Percentiles()
    /// Crashed runners the healer replaced after a backoff.
    public var restarts = 0
    /// Open: the runners kept crashing, so the runtime's commands are spawned directly for now.
    public var circuit = CircuitState.closed
    /// Times the circuit opened.
    public var circuitOpens = 0
    public init(runtime: String) { self.runtime = runtime }

    private enum CodingKeys: String, CodingKey {
        case runtime, warm, busy, booting, spawned, crashes, jobs, waits, retries, waitMs, bootMs
        case restarts, circuit, circuitOpens
    }

    /// Fields added after the first report version are optional when reading.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        runtime = try c.decode(String.self, forKey: .runtime)
        warm = try c.decodeIfPresent(Int.self, forKey: .warm) ?? 0
        busy = try c.decodeIfPresent(Int.self, forKey: .busy) ?? 0
        booting = try c.decodeIfPresent(Int.self, forKey: .booting) ?? 0
        spawned = try c.decodeIfPresent(Int.self, forKey: .spawned) ?? 0
        crashes = try c.decodeIfPresent(Int.self, forKey: .crashes) ?? 0
        jobs = try c.decodeIfPresent(Int.self, forKey: .jobs) ?? 0
        waits = try c.decodeIfPresent(Int.self, forKey: .waits) ?? 0
        retries = try c.decodeIfPresent(Int.self, forKey: .retries) ?? 0
        waitMs = try c.decodeIfPresent(Percentiles.self, forKey: .waitMs) ?? Percentiles()
        bootMs = try c.decodeIfPresent(Percentiles.self, forKey: .bootMs) ?? Percentiles()
        restarts = try c.decodeIfPresent(Int.self, forKey: .restarts) ?? 0
        circuit = try c.decodeIfPresent(CircuitState.self, forKey: .circuit) ?? .closed
        circuitOpens = try c.decodeIfPresent(Int.self, forKey: .circuitOpens) ?? 0
    }
}

public struct CacheSnapshot: Sendable, Codable, Equatable {
    /// Runs answered from any tier, and cacheable runs that had to run.
    public var hits = 0
    public var misses = 0
    /// Runs stored for next time, and runs not stored because their output was capped.
    public var stored = 0
    public var capped = 0
    /// Output files written back by hits, their bytes, and files already there unchanged.
    public var restoredFiles = 0
    public var restoredBytes = 0
    public var unchangedFiles = 0
    /// Runs whose outputs could not be cached, and hits whose outputs were refused (the command ran).
    public var outputsNotCached = 0
    public var restoresRefused = 0
    public var hitRate: Double = 0
    public var tiers: [CacheTierStats] = []
    public init() {}
}

public struct CacheTierStats: Sendable, Codable, Equatable {
    public var name: String
    public var hits = 0
    public var misses = 0
    public var entries = 0
    public var bytes = 0
    public var evictions = 0
    public var expirations = 0
    /// Entries that failed verification (checksum, digest, truncation) and were deleted, or writes that failed.
    public var discarded = 0
    /// Bytes sent to and received from the tier (disk: written and read back; remote: HTTP bodies).
    public var bytesUp = 0
    public var bytesDown = 0
    /// Failed requests (remote: timeouts, refused connections, 5xx), each attempt counted.
    public var errors = 0
    /// Lookups not sent because the circuit was open (remote only).
    public var skipped = 0
    /// Uploads dropped because too many were pending (remote only).
    public var dropped = 0
    /// The remote tier's circuit breaker; nil for local tiers.
    public var circuit: CircuitState? = nil
    /// The remote tier's mode ("readwrite", "read"); nil for local tiers.
    public var mode: String? = nil
    public init(name: String) { self.name = name }

    public var hitRate: Double { hits + misses == 0 ? 0 : Double(hits) / Double(hits + misses) }
}

public struct OptimizationsSnapshot: Sendable, Codable, Equatable {
    public var flags = FeatureFlags()
    public var revision = 1
    public var knownGoodRevision = 1
    public var revisions: [ConfigRevision] = []
    /// The tuned parameters in force (concurrency ceiling, warm spares per runtime, cache TTL).
    public var tuning = Tuning(concurrency: 100, poolMin: [:], cacheTTLSeconds: 300)
    /// Finished tests, oldest first, then the running one (verdict "running").
    public var abTests: [ABTestResult] = []
    public var decisions: [OptimizerDecision] = []
    /// What the loop is doing now: "off", "watching", "validating revision 4", "A/B test running".
    public var loopState = "off"
    /// Metrics windows judged so far.
    public var windows = 0
    /// The steady window changes are judged against; nil until one has been measured.
    public var baseline: WindowFigures? = nil
    /// Per action type, the learned success record the optimizer chooses with.
    public var learning: [ActionRecord] = []
    public init() {}
}

public struct ConfigRevision: Sendable, Codable, Equatable {
    public var number: Int
    public var time: Date
    /// "user", "optimizer" or "healer".
    public var by: String
    /// Flags changed, name → new value.
    public var changes: [String: Bool]
    public var note: String?
    /// Tuned parameters changed, name → "old→new".
    public var parameters: [String: String] = [:]

    public init(number: Int, time: Date, by: String, changes: [String: Bool], note: String? = nil) {
        self.number = number
        self.time = time
        self.by = by
        self.changes = changes
        self.note = note
    }

    /// Every change in one line: "command_cache off, concurrency 16→8".
    public var summary: String {
        let flags = changes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value ? "on" : "off")" }
        let tuned = parameters.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        return (flags + tuned).joined(separator: ", ")
    }
}

public struct ABTestResult: Sendable, Codable, Equatable {
    public var flag: String
    /// "running", "better", "worse", "no difference" or "inconclusive" (B is the flag on).
    public var verdict: String
    public var pValue: Double
    public var nA: Int
    public var nB: Int
    public var medianA: Double = 0
    public var medianB: Double = 0
    public var p95A: Double = 0
    public var p95B: Double = 0
    /// Bootstrap 95% interval of p95(B) − p95(A), in ms; negative means B is faster in the tail.
    public var p95Difference: BootstrapInterval? = nil
    public var startedMs: Int64 = 0
    public var durationMs: Int64 = 0
    /// Why it stopped: samples reached, time ran out, stopped by the engine.
    public var reason: String? = nil
    public var seed: UInt64 = 0

    public init(flag: String, verdict: String, pValue: Double, nA: Int, nB: Int) {
        self.flag = flag
        self.verdict = verdict
        self.pValue = pValue
        self.nA = nA
        self.nB = nB
    }
}

public struct OptimizerDecision: Sendable, Codable, Equatable {
    /// "pool.min[node] 3→5", "rollback to revision 2", ...
    public var action: String
    public var reason: String
    /// "applied", "kept", "rolled back", "failed", "superseded" (a person changed the setting
    /// before the trial's verdict).
    public var outcome: String
    public var time: Date = Date()
    /// "optimizer" or "healer".
    public var by: String = "optimizer"
    /// The revision the action made, if any.
    public var revision: Int? = nil
    /// What was measured before and after, e.g. "runner wait p95 41 ms→2 ms".
    public var effect: String? = nil
    /// The metrics window (counted from the start of the run) the decision was made in.
    public var window = 0

    public init(action: String, reason: String, outcome: String) {
        self.action = action
        self.reason = reason
        self.outcome = outcome
    }
}

/// One metrics window's headline figures, as the loop measured them.
public struct WindowFigures: Sendable, Codable, Equatable {
    public var runs: Int
    public var runP50: Double
    public var runP95: Double
    public var throughput: Double
    public var errorRate: Double
}

/// A bandit arm's record: successes and failures of one action type, across runs.
public struct ActionRecord: Sendable, Codable, Equatable {
    public var action: String
    public var successes: Int
    public var failures: Int

    public init(action: String, successes: Int = 0, failures: Int = 0) {
        self.action = action
        self.successes = successes
        self.failures = failures
    }
}
