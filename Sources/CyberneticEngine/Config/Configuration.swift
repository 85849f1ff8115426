/// A validated workload: every section of the workload file with the design's defaults filled in.
///
/// Values here are already checked; the engine never re-validates them.
public struct Configuration: Sendable, Codable, Equatable {
    public var queue = QueueSettings()
    public var processPool = ProcessPoolSettings()
    public var cache = CacheSettings()
    public var memory = MemorySettings()
    public var flags = FeatureFlags()
    public var optimizer = OptimizerSettings()
    public var ab = ABSettings()
    public var phases: [PhaseSpec] = []
    public var tasks: [TaskSpec] = []
    /// Dashboard key bindings from `[keys]`: action name → key name ("quit" = "x", "pause" = "Space").
    public var keys: [String: String] = [:]
    /// Where the workload came from ("built-in demo" or a path), for headers and reports.
    public var source: String = "defaults"

    public init() {}
}

public struct QueueSettings: Sendable, Codable, Equatable {
    public var maxSize = 10_000
    public var maxConcurrency = 100
    public var taskTimeout: Duration = .seconds(30)
    /// The floor an adaptive limit never goes below.
    public var minConcurrency = 1
    /// The adaptive algorithm used while `adaptive_concurrency` is on.
    public var limiter: AdaptiveAlgorithm = .aimd
    /// How much head start one priority step is worth; a waiting run catches up with higher
    /// priorities after three steps, so low priority work is never starved.
    public var aging: Duration = .seconds(10)
    public init() {}
}

public enum AdaptiveAlgorithm: String, Sendable, Codable, CaseIterable {
    case aimd, gradient2
}

public struct ProcessPoolSettings: Sendable, Codable, Equatable {
    public var min = 3
    public var max = 10
    public var idleTimeout: Duration = .seconds(30)
    /// Interpreters kept warm. `sh` is left out by default: a shell starts in about a millisecond,
    /// and a warm one still costs a spawn for its replacement, so it only adds processes.
    public var runtimes: [String] = ["node", "python3"]
    /// Spares per runtime kind ("node", "python", "sh") where the optimizer has tuned it; `min` elsewhere.
    public var minByRuntime: [String: Int] = [:]
    public init() {}

    public func minimum(for kind: String) -> Int { Swift.min(minByRuntime[kind] ?? min, max) }
}

public struct CacheSettings: Sendable, Codable, Equatable {
    public var maxEntries = 1000
    public var ttl: Duration = .seconds(300)
    public var directory = ".cybernetic/cache"
    public var remote: String? = nil
    /// What the remote tier may do: read-only suits untrusted jobs (a pull request's CI) that
    /// may profit from the shared cache but must not be able to poison it.
    public var remoteMode: RemoteMode = .readWrite
    /// The name of the environment variable holding a bearer token; the token itself never
    /// appears in the workload, logs, snapshots or reports.
    public var remoteTokenEnv: String? = nil
    /// Limit for one HTTP request to the remote tier (each retry gets its own).
    public var remoteTimeout: Duration = .seconds(5)
    /// How long the remote tier is skipped after its circuit opens, before one trial request.
    public var remoteCoolDown: Duration = .seconds(30)
    /// Size cap of the disk tier; least recently used entries go first.
    public var diskMaxBytes = 1 << 30
    /// Output kept per stream for a cacheable run; a run that writes more is not cached.
    public var maxOutputBytes = 16 << 20
    /// Total size of a run's output files (`outputs`) that may be cached; a run over it is not cached.
    public var maxOutputsBytes = 64 << 20
    public init() {}
}

public enum RemoteMode: String, Sendable, Codable, Equatable, CaseIterable {
    case readWrite = "readwrite"
    case read
    case off
}

public struct MemorySettings: Sendable, Codable, Equatable {
    public var smallBlocks = 256
    public var mediumBlocks = 128
    public var largeBlocks = 64
    public init() {}
}

/// How a command is started: a string goes through `/bin/sh -c`, an array is exec'd as it is.
public enum CommandLine: Sendable, Codable, Equatable, CustomStringConvertible {
    case shell(String)
    case argv([String])

    /// The argv that is actually executed.
    public var argv: [String] {
        switch self {
        case .shell(let script): ["/bin/sh", "-c", script]
        case .argv(let argv): argv
        }
    }

    public var description: String {
        switch self {
        case .shell(let script): script
        case .argv(let argv): argv.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
        }
    }
}

public struct PhaseSpec: Sendable, Codable, Equatable {
    public var name: String
    public var run: CommandLine
    public var dependsOn: [String] = []
    public var timeout: Duration? = nil
    public var health: String? = nil
    public var rollback: CommandLine? = nil
    /// A long-running process (a database, a server): ready when its health check passes,
    /// supervised while Cybernetic runs, stopped at shutdown in reverse dependency order.
    public var service = false

    public init(name: String, run: CommandLine, dependsOn: [String] = [], timeout: Duration? = nil,
                health: String? = nil, rollback: CommandLine? = nil, service: Bool = false) {
        self.name = name
        self.run = run
        self.dependsOn = dependsOn
        self.timeout = timeout
        self.health = health
        self.rollback = rollback
        self.service = service
    }
}

public enum TaskPriority: String, Sendable, Codable, CaseIterable, Comparable {
    case low, normal, high, critical

    var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
}

/// One environment entry of a task: `NAME` passes the caller's value through, `NAME=VALUE` sets it.
public struct EnvironmentEntry: Sendable, Codable, Equatable {
    public var name: String
    public var value: String?

    public init(name: String, value: String? = nil) {
        self.name = name
        self.value = value
    }
}

public struct TaskSpec: Sendable, Codable, Equatable {
    public var name: String
    public var run: CommandLine
    public var priority: TaskPriority = .normal
    public var cache = true
    /// Store failed runs too (normally only exit 0 is cached).
    public var cacheFailures = false
    public var inputs: [String] = []
    /// Globs of the files the command writes, stored with its result and restored on a hit.
    public var outputs: [String] = []
    public var env: [EnvironmentEntry] = []
    /// Variables whose values are secret although their names do not say so (see `Secrets`):
    /// hidden from events, reports, logs and the dashboard.
    public var secretEnv: [String] = []
    /// Interval between repetitions; `nil` runs the task back to back.
    public var every: Duration? = nil
    /// How many times to run; `nil` means forever (only allowed together with `every`).
    public var count: Int? = 1
    public var timeout: Duration? = nil

    public init(name: String, run: CommandLine) {
        self.name = name
        self.run = run
    }
}

/// The dashboard actions a `[keys]` table may rebind. The TUI's key map uses the same names
/// (a test keeps the two lists equal), so `cybernetic check` catches a misspelt action.
public enum KeyBindingNames {
    public static let actions = ["rollback", "ab_test", "pause", "focus_next", "focus_previous", "up", "down",
                                 "page_up", "page_down", "top", "bottom", "theme", "help", "quit"]
        + (1...9).map { "flag_\($0)" }
}
