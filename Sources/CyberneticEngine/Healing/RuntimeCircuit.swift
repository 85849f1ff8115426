import Foundation

/// For a runtime: closed, its runners serve; open, they kept crashing, so none boot and its
/// commands are spawned directly; half-open, one probe runner decides which way it goes.
extension CircuitState {
    /// Of two runtimes shown under one label, the state furthest from normal.
    static func worse(_ a: CircuitState, _ b: CircuitState) -> CircuitState {
        if a == .open || b == .open { return .open }
        if a == .halfOpen || b == .halfOpen { return .halfOpen }
        return .closed
    }
}

/// The healer's view of one warm runtime: restart backoff, restart intensity, circuit state.
/// A value the pool keeps under its lock; every transition returns the `HealingAction` that says
/// what happened, and when the pool must look again (a backoff or cool-down ending).
struct RuntimeCircuit: Sendable {
    private(set) var state: CircuitState = .closed
    private(set) var tracker: RestartTracker
    /// No new runner boots before this (the backoff after a crash).
    private(set) var bootAllowedAt: ContinuousClock.Instant?
    /// When an open circuit half-opens.
    private(set) var reopensAt: ContinuousClock.Instant?
    /// The serial of a half-open circuit's probe runner, while it boots.
    private(set) var probe: Int?
    private(set) var opened = 0

    init(policy: RestartPolicy) { tracker = RestartTracker(policy: policy) }

    var policy: RestartPolicy { tracker.policy }

    /// Jobs go to this runtime's runners only while the circuit is closed.
    var servesJobs: Bool { state == .closed }

    /// Whether a runner may boot now: closed and past the backoff, or half-open with no probe yet.
    func mayBoot(at now: ContinuousClock.Instant) -> Bool {
        switch state {
        case .closed: return bootAllowedAt.map { now >= $0 } ?? true
        case .halfOpen: return probe == nil
        case .open: return false
        }
    }

    /// Runner `serial` is booting; in half-open it is the one probe.
    mutating func booting(_ serial: Int) {
        if state == .halfOpen { probe = serial }
    }

    /// A runner of this runtime crashed (`why`: "exited with code 3 before it was ready").
    /// Returns what the healer does about it and when the pool must reconcile again.
    mutating func crashed(_ subject: String, why: String, at now: ContinuousClock.Instant)
        -> (action: HealingAction?, wake: Duration?) {
        let policy = tracker.policy
        if state == .halfOpen {
            return (open(subject, reason: "the probe runner \(why); retry in \(DurationText.format(policy.coolDown))", at: now),
                    policy.coolDown)
        }
        if state == .open {
            // A runner that was booting when the circuit opened: nothing more to decide.
            return (nil, nil)
        }
        switch tracker.crashed(at: now) {
        case .restart(let delay, let count):
            bootAllowedAt = max(bootAllowedAt ?? now, now + delay)
            let action = HealingAction(subject: subject, action: "backoff \(DurationText.format(delay))",
                                       reason: "\(why); crash \(count) of \(policy.maxRestarts) allowed in \(DurationText.format(policy.period))")
            return (action, delay)
        case .exceeded(let count):
            let reason = "\(count) crashes in \(DurationText.format(policy.period)) exceed the restart intensity "
                + "(\(policy.intensityText)), last one \(why); retry in \(DurationText.format(policy.coolDown))"
            return (open(subject, reason: reason, at: now), policy.coolDown)
        }
    }

    private mutating func open(_ subject: String, reason: String, at now: ContinuousClock.Instant) -> HealingAction {
        state = .open
        probe = nil
        opened += 1
        reopensAt = now + tracker.policy.coolDown
        bootAllowedAt = nil
        return HealingAction(subject: subject, action: "circuit open: spawning directly", reason: reason, level: .error)
    }

    /// A runner ended without crashing (retired, shut down): if it was the half-open probe,
    /// the next reconcile boots another.
    mutating func ended(_ serial: Int) {
        if probe == serial { probe = nil }
    }

    /// A runner got ready: a half-open circuit closes and the crash history starts over.
    mutating func booted(_ subject: String, bootTime: Duration) -> HealingAction? {
        guard state == .halfOpen else { return nil }
        state = .closed
        probe = nil
        reopensAt = nil
        tracker.reset()
        return HealingAction(subject: subject, action: "circuit closed",
                             reason: "the probe runner booted in \(DurationText.format(bootTime)); warm runs resume", level: .info)
    }

    /// Half-opens an open circuit whose cool-down is over.
    mutating func advance(_ subject: String, at now: ContinuousClock.Instant) -> HealingAction? {
        guard state == .open, let reopensAt, now >= reopensAt else { return nil }
        state = .halfOpen
        self.reopensAt = nil
        return HealingAction(subject: subject, action: "circuit half-open: booting one runner",
                             reason: "cool-down of \(DurationText.format(tracker.policy.coolDown)) over", level: .info)
    }
}
