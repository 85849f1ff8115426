import Foundation

/// One thing the healer did and why: a restart after a backoff, a circuit that opened or closed,
/// a supervised process given up on. Kept in the ledger (the newest `Ledger.healingCapacity`),
/// shown as an event, and written to the report's `healing` array.
public struct HealingAction: Sendable, Codable, Equatable {
    public var time: Date
    /// What was healed: "runner sh", "service db".
    public var subject: String
    /// What was done: "backoff 400 ms", "circuit open: spawning directly", "circuit closed", "gave up".
    public var action: String
    /// Why, with the numbers that decided it.
    public var reason: String
    /// How loud its event is: a recovery is news, a degradation a warning.
    public var level: EngineEvent.Level

    public init(time: Date = Date(), subject: String, action: String, reason: String, level: EngineEvent.Level = .warning) {
        self.time = time
        self.subject = subject
        self.action = action
        self.reason = reason
        self.level = level
    }

    /// The event line: "runner sh: circuit open: spawning directly (6 crashes in 10 s ...)".
    public var message: String { "\(subject): \(action) (\(reason))" }
}

/// A bounded list of healing actions waiting for the engine to collect them; the oldest fall
/// off when nobody collects, so a crash loop cannot grow memory.
struct PendingHealing: Sendable {
    static let capacity = 200
    private(set) var actions: [HealingAction] = []

    mutating func append(_ action: HealingAction) {
        actions.append(action)
        if actions.count > Self.capacity { actions.removeFirst(actions.count - Self.capacity) }
    }

    mutating func drain() -> [HealingAction] {
        defer { actions = [] }
        return actions
    }
}
