import Foundation

/// Every change to the flags is a numbered revision, so any state can be named, compared and
/// returned to. Revision 1 is the configuration the run started with and the first known-good one.
struct RevisionHistory: Sendable {
    private(set) var flags: FeatureFlags
    private(set) var revisions: [ConfigRevision]
    private(set) var knownGood: Int = 1
    private var flagsByRevision: [Int: FeatureFlags]

    init(initial: FeatureFlags) {
        flags = initial
        revisions = [ConfigRevision(number: 1, time: Date(), by: "user", changes: FeatureFlags().changes(to: initial),
                                    note: "initial configuration")]
        flagsByRevision = [1: initial]
    }

    var current: Int { revisions.last!.number }

    /// Applies new flag values; returns the new revision, or nil when nothing changed.
    mutating func apply(_ newFlags: FeatureFlags, by author: String, note: String? = nil) -> ConfigRevision? {
        let changes = flags.changes(to: newFlags)
        guard !changes.isEmpty else { return nil }
        let revision = ConfigRevision(number: current + 1, time: Date(), by: author, changes: changes, note: note)
        revisions.append(revision)
        flags = newFlags
        flagsByRevision[revision.number] = newFlags
        return revision
    }

    /// Returns to the last known-good revision's flags, as a new revision.
    mutating func rollback(by author: String) -> ConfigRevision? {
        guard let target = flagsByRevision[knownGood] else { return nil }
        return apply(target, by: author, note: "rollback to revision \(knownGood)")
    }

    mutating func markKnownGood(_ number: Int) {
        if flagsByRevision[number] != nil { knownGood = number }
    }

    var snapshot: OptimizationsSnapshot {
        var snapshot = OptimizationsSnapshot()
        snapshot.flags = flags
        snapshot.revision = current
        snapshot.knownGoodRevision = knownGood
        snapshot.revisions = revisions
        return snapshot
    }
}
