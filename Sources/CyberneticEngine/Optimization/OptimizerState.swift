/// The loop's memory between windows: the baseline, the revision being validated, the step on
/// trial, the decisions made, the bandit, and the A/B test. It lives in the ledger, so a
/// snapshot shows decisions and revisions from the same moment.
struct OptimizerState: Sendable {
    /// A revision waiting to hold its validation window.
    struct Validation: Sendable {
        var revision: Int
        var since: Double
        /// The last window before the change: what "degraded" is measured against.
        var baseline: WindowSummary?
    }

    /// The optimizer's own step, kept or undone after the next window.
    struct Trial: Sendable {
        var action: OptimizerAction
        var revision: Int
        var previous: Int
        var before: WindowSummary
        var undecidedWindows = 0
    }

    var window: MetricsWindow
    /// Judged windows since the last change, not counting the first: that one is transitional
    /// (runs still draining under the old setting, pools refilling), so it is never a baseline.
    var steadyWindows = -1
    var baseline: WindowSummary?
    var validation: Validation?
    var trial: Trial?
    var decisions: [OptimizerDecision] = []
    var bandit: Bandit
    var generator: SeededGenerator
    var abTest: ABTest?
    var abResults: [ABTestResult] = []
    /// Action kinds resting after a failure: windows left before they may be tried again.
    var cooldown: [String: Int] = [:]
    /// Action kinds switched off because applying them threw.
    var disabled: Set<String> = []
    var idleWindows: [String: Int] = [:]
    /// Flags the optimizer or healer switched off (candidates for "flag on" later).
    var flagsOffByMachine: Set<FeatureFlag> = []
    var warnedRevision: Int?
    var loopState = "watching"
    /// Windows judged so far; decisions carry the number of the window they were made in.
    var windows = 0
    /// Bandit records changed since they were last written to disk.
    var learningDirty = false

    init(startedAt: Double, records: [ActionRecord], seed: UInt64) {
        window = MetricsWindow(startedAt: startedAt)
        bandit = Bandit(records: records)
        generator = SeededGenerator(seed: seed)
    }

    mutating func decide(_ decision: OptimizerDecision) {
        var decision = decision
        decision.window = windows
        decisions.append(decision)
        if decisions.count > 200 { decisions.removeFirst(decisions.count - 200) }
    }
}
