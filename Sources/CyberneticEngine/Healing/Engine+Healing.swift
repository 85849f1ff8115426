import Foundation

extension Ledger {
    /// Healing actions kept for snapshots and the report; older ones fall off.
    static let healingCapacity = 200

    /// Keeps `action` and tells the event log, so the Events pane and headless output show it.
    /// A change of course (a circuit opening, half-opening or closing, a service given up on) is
    /// also a healer's decision beside the optimizer's; the backoffs in between are not, or a
    /// crash loop would push the optimizer's decisions out of the Optimizations pane.
    mutating func recordHealing(_ action: HealingAction) {
        healing.append(action)
        if healing.count > Self.healingCapacity { healing.removeFirst(healing.count - Self.healingCapacity) }
        events.append(action.level, "healing: " + action.message, at: action.time)
        if !action.action.hasPrefix("backoff") {
            var decision = OptimizerDecision(action: "\(action.subject): \(action.action)", reason: action.reason, outcome: "applied")
            decision.by = "healer"
            decision.time = action.time
            optimizer.decide(decision)
        }
    }
}

extension Engine {
    /// Moves what the pool's and the service supervisor's healers did since the last call into
    /// the ledger. Called from the publish loop (so actions show up within one snapshot interval)
    /// and once more before the final snapshot.
    func collectHealing() {
        let actions = (executor.processPool.drainHealingActions() + services.drainHealingActions())
            .sorted { $0.time < $1.time }
        guard !actions.isEmpty else { return }
        ledger.withLock { ledger in
            for action in actions { ledger.recordHealing(action) }
        }
    }
}
