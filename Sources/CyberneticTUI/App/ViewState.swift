import CyberneticEngine

/// Everything the user has changed about the view: focus, cursors, overlays, the theme. Keys
/// change it through `apply`, a pure function that also says what to ask of the engine, so the
/// whole of key handling is testable without a terminal or an engine.
public struct ViewState: Sendable, Equatable {
    public var focus: PaneID = .optimizations
    public var cursors: [PaneID: Int] = [:]
    public var helpVisible = false
    public var toast: Toast?

    public init() {}

    /// What an action asks of the outside world.
    public enum Effect: Sendable, Equatable {
        /// Send a control; show `done` when it succeeds, the error when it fails.
        case perform(Control, done: String)
        case nextTheme
        case quit
    }

    public func cursor(_ pane: PaneID) -> Int { cursors[pane] ?? 0 }

    /// The flag `a` tests: the selected row of the Optimizations pane.
    public func selectedFlag(_ snapshot: EngineSnapshot) -> FeatureFlag? {
        let flags = snapshot.optimizations.flags.ordered
        guard !flags.isEmpty else { return nil }
        return flags[min(max(0, cursor(.optimizations)), flags.count - 1)].flag
    }

    /// Applies an action. `limits` gives the largest cursor value per pane (rows minus one, or
    /// for the event log the most lines it can scroll back); panes without one do not move.
    public mutating func apply(_ action: Action, snapshot: EngineSnapshot?, limits: [PaneID: Int] = [:],
                               pageSize: Int = 10) -> Effect? {
        if helpVisible {
            helpVisible = false
            if action == .quit { return .quit }
            return nil
        }
        switch action {
        case .quit:
            return .quit
        case .toggleHelp:
            helpVisible = true
            return nil
        case .closeOverlay:
            toast = nil
            return nil
        case .nextTheme:
            return .nextTheme
        case .focusNext, .focusPrevious:
            let order = PaneID.focusOrder
            let index = order.firstIndex(of: focus) ?? 0
            let step = action == .focusNext ? 1 : order.count - 1
            focus = order[(index + step) % order.count]
            return nil
        case .moveUp, .moveDown, .pageUp, .pageDown, .top, .bottom:
            move(action, limit: limits[focus] ?? 0, page: max(1, pageSize))
            return nil
        case .toggleFlag(let number):
            guard let snapshot else { return nil }
            let flags = snapshot.optimizations.flags.ordered
            guard number >= 1, number <= flags.count else { return nil }
            let (flag, enabled) = flags[number - 1]
            cursors[.optimizations] = number - 1
            return .perform(.setFlag(flag.rawValue, !enabled), done: "\(flag.rawValue) \(enabled ? "off" : "on")")
        case .rollback:
            guard let snapshot else { return nil }
            let o = snapshot.optimizations
            let done = o.revision == o.knownGoodRevision
                ? "already at known-good revision \(o.knownGoodRevision)"
                : "rolled back to revision \(o.knownGoodRevision)"
            return .perform(.rollback, done: done)
        case .abTest:
            guard let snapshot, let flag = selectedFlag(snapshot) else { return nil }
            return .perform(.startABTest(flag.rawValue), done: "A/B test of \(flag.rawValue) started")
        case .togglePause:
            guard let snapshot else { return nil }
            return snapshot.intakePaused
                ? .perform(.resumeIntake, done: "task intake resumed")
                : .perform(.pauseIntake, done: "task intake paused")
        }
    }

    /// For the event log "up" means further back in time, so its cursor counts up; for every
    /// other pane the cursor is a row index and "up" counts down.
    private mutating func move(_ action: Action, limit: Int, page: Int) {
        let backwards = focus == .events
        var value = cursor(focus)
        let up: Int = switch action {
        case .moveUp: 1
        case .moveDown: -1
        case .pageUp: page
        case .pageDown: -page
        case .top: Int.max / 2
        default: -(Int.max / 2)
        }
        value += backwards ? up : -up
        cursors[focus] = min(max(0, value), max(0, limit))
    }
}
