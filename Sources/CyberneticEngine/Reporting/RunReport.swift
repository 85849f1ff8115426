import Foundation

/// The `--report` JSON: the final snapshot plus run totals, in the shape CI scripts parse.
/// Fields are added, never renamed (see DESIGN.md, "Report").
public struct RunReport: Sendable, Codable, Equatable {
    public struct Exit: Sendable, Codable, Equatable {
        public var code: Int32
        public var reason: String
    }

    public struct Event: Sendable, Codable, Equatable {
        public var time: Date
        public var level: String
        public var message: String
        public var detail: String?
    }

    /// The loop's state at the end: revision in force, known-good, tuned parameters, what it learned.
    public struct Optimizer: Sendable, Codable, Equatable {
        public var revision: Int
        public var knownGoodRevision: Int
        public var state: String
        public var tuning: Tuning
        public var learning: [ActionRecord]
    }

    public var version = 1
    public var exit: Exit
    public var source: String
    public var durationMs: Int64
    public var totals: Totals
    public var tasks: [TaskStats]
    public var startup: StartupSnapshot
    public var queue: QueueSnapshot
    public var processPool: ProcessPoolSnapshot
    public var cache: CacheSnapshot
    public var memory: MemorySnapshot
    public var flags: FeatureFlags
    public var revisions: [ConfigRevision]
    public var abTests: [ABTestResult]
    public var decisions: [OptimizerDecision]
    public var optimizer: Optimizer
    public var events: [Event]
    /// What the healer did: restart backoffs, circuits opening and closing, services given up on.
    public var healing: [HealingAction]
    /// Cybernetic's own CPU time and peak memory when the report was written (nil in reports
    /// written before it existed).
    public var process: ProcessUsage?

    public init(snapshot: EngineSnapshot, exitCode: Int32, reason: String) {
        exit = Exit(code: exitCode, reason: reason)
        source = snapshot.source
        durationMs = snapshot.uptimeMs
        totals = snapshot.totals
        tasks = snapshot.tasks
        startup = snapshot.startup
        queue = snapshot.queue
        processPool = snapshot.processPool
        cache = snapshot.cache
        memory = snapshot.memory
        flags = snapshot.optimizations.flags
        revisions = snapshot.optimizations.revisions
        abTests = snapshot.optimizations.abTests
        decisions = snapshot.optimizations.decisions
        healing = snapshot.healing
        process = ProcessUsage.current()
        let o = snapshot.optimizations
        optimizer = Optimizer(revision: o.revision, knownGoodRevision: o.knownGoodRevision, state: o.loopState,
                              tuning: o.tuning, learning: o.learning)
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
