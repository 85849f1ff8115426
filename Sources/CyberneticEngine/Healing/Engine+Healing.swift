import Foundation

extension Ledger {
    /// Healing actions kept for snapshots and the report; older ones fall off.
    static let healingCapacity = 200

    /// Keeps `action` and tells the event log, so the Events pane and headless output show it.
    mutating func recordHealing(_ action: HealingAction) {
        healing.append(action)
        if healing.count > Self.healingCapacity { healing.removeFirst(healing.count - Self.healingCapacity) }
        events.append(action.level, "healing: " + action.message, at: action.time)
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
