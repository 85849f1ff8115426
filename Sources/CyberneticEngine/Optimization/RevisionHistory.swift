import Foundation

/// Every change to the flags or tuned parameters is a numbered revision, so any state can be
/// named, compared and returned to. Revision 1 is the configuration the run started with and the
/// first known-good one; a later revision becomes known-good once it has held its validation
/// window without degradation.
struct RevisionHistory: Sendable {
    struct Setting: Sendable, Equatable {
        var flags: FeatureFlags
        var tuning: Tuning
    }

    private(set) var flags: FeatureFlags
    private(set) var tuning: Tuning
    private(set) var revisions: [ConfigRevision]
    private(set) var knownGood: Int = 1
    private var settings: [Int: Setting]
    private let defaultPoolMin: Int

    init(initial: FeatureFlags, tuning: Tuning = Tuning(concurrency: 100, poolMin: [:], cacheTTLSeconds: 300),
         defaultPoolMin: Int = 3) {
        flags = initial
        self.tuning = tuning
        self.defaultPoolMin = defaultPoolMin
        revisions = [ConfigRevision(number: 1, time: Date(), by: "user", changes: FeatureFlags().changes(to: initial),
                                    note: "initial configuration")]
        settings = [1: Setting(flags: initial, tuning: tuning)]
    }

    var current: Int { revisions.last!.number }
    var currentRevision: ConfigRevision { revisions.last! }

    /// Applies new flag values; returns the new revision, or nil when nothing changed.
    mutating func apply(_ newFlags: FeatureFlags, by author: String, note: String? = nil) -> ConfigRevision? {
        apply(Setting(flags: newFlags, tuning: tuning), by: author, note: note)
    }

    mutating func apply(_ newTuning: Tuning, by author: String, note: String? = nil) -> ConfigRevision? {
        apply(Setting(flags: flags, tuning: newTuning), by: author, note: note)
    }

    mutating func apply(_ setting: Setting, by author: String, note: String? = nil) -> ConfigRevision? {
        let changes = flags.changes(to: setting.flags)
        let parameters = tuning.changes(to: setting.tuning, defaultPoolMin: defaultPoolMin)
        guard !changes.isEmpty || !parameters.isEmpty else { return nil }
        var revision = ConfigRevision(number: current + 1, time: Date(), by: author, changes: changes, note: note)
        revision.parameters = parameters
        revisions.append(revision)
        flags = setting.flags
        tuning = setting.tuning
        settings[revision.number] = setting
        return revision
    }

    /// Returns to the last known-good revision's flags and parameters, as a new revision.
    mutating func rollback(by author: String, reason: String? = nil) -> ConfigRevision? {
        rollback(to: knownGood, by: author, reason: reason)
    }

    /// Returns to revision `number`'s setting (the optimizer undoing its own step), as a new revision.
    mutating func rollback(to number: Int, by author: String, reason: String? = nil) -> ConfigRevision? {
        guard let target = settings[number] else { return nil }
        let note = "rollback to revision \(number)" + (reason.map { ": \($0)" } ?? "")
        return apply(target, by: author, note: note)
    }

    mutating func markKnownGood(_ number: Int) {
        if settings[number] != nil { knownGood = number }
    }

    func setting(of number: Int) -> Setting? { settings[number] }

    var snapshot: OptimizationsSnapshot {
        var snapshot = OptimizationsSnapshot()
        snapshot.flags = flags
        snapshot.revision = current
        snapshot.knownGoodRevision = knownGood
        snapshot.revisions = revisions
        snapshot.tuning = tuning
        return snapshot
    }
}
