import Foundation

/// The `--report` JSON: the final snapshot plus run totals, in the shape CI scripts parse.
/// Fields are added, never renamed (see DESIGN.md, "Report").
public struct RunReport: Sendable, Codable, Equatable {
    public struct Exit: Sendable, Codable, Equatable {
        public var code: Int32
        public var reason: String
    }

    public struct TaskEntry: Sendable, Codable, Equatable {
        public var name: String
        public var command: String
        public var runs: Int
        public var failures: Int
        public var timeouts: Int
        public var lastExitCode: Int?
        public var cacheHits: Int
        public var lastDurationMs: Int64?
        public var totalDurationMs: Int64
        public var lastFailure: String?

        private enum CodingKeys: String, CodingKey {
            case name, command, runs, failures, timeouts, lastExitCode, cacheHits, lastDurationMs, totalDurationMs, lastFailure
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
            try c.encode(lastDurationMs, forKey: .lastDurationMs)
            try c.encode(totalDurationMs, forKey: .totalDurationMs)
            try c.encode(lastFailure, forKey: .lastFailure)
        }
    }

    public struct Event: Sendable, Codable, Equatable {
        public var time: Date
        public var level: String
        public var message: String
        public var detail: String?
    }

    public var version = 1
    public var exit: Exit
    public var source: String
    public var durationMs: Int64
    public var totals: Totals
    public var tasks: [TaskEntry]
    public var startup: StartupSnapshot
    public var queue: QueueSnapshot
    public var processPool: ProcessPoolSnapshot
    public var cache: CacheSnapshot
    public var memory: MemorySnapshot
    public var flags: FeatureFlags
    public var revisions: [ConfigRevision]
    public var abTests: [ABTestResult]
    public var decisions: [OptimizerDecision]
    public var events: [Event]

    public init(snapshot: EngineSnapshot, exitCode: Int32, reason: String) {
        exit = Exit(code: exitCode, reason: reason)
        source = snapshot.source
        durationMs = snapshot.uptimeMs
        totals = snapshot.totals
        tasks = snapshot.tasks.map {
            TaskEntry(name: $0.name, command: $0.command, runs: $0.runs, failures: $0.failures, timeouts: $0.timeouts,
                      lastExitCode: $0.lastExitCode, cacheHits: $0.cacheHits, lastDurationMs: $0.lastDurationMs,
                      totalDurationMs: $0.totalDurationMs, lastFailure: $0.lastFailure)
        }
        startup = snapshot.startup
        queue = snapshot.queue
        processPool = snapshot.processPool
        cache = snapshot.cache
        memory = snapshot.memory
        flags = snapshot.optimizations.flags
        revisions = snapshot.optimizations.revisions
        abTests = snapshot.optimizations.abTests
        decisions = snapshot.optimizations.decisions
        events = snapshot.events.filter { $0.level != .debug }.map {
            Event(time: $0.time, level: $0.level.rawValue, message: $0.message, detail: $0.detail)
        }
    }

    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }
}
