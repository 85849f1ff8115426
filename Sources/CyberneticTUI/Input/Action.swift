/// What a key asks for. The key map produces these; `ViewState.apply` turns them into view
/// changes and engine controls.
public enum Action: Hashable, Sendable {
    /// Toggle the n-th flag (1-based) of the Optimizations pane.
    case toggleFlag(Int)
    case rollback
    case abTest
    case togglePause
    case focusNext
    case focusPrevious
    case moveUp
    case moveDown
    case pageUp
    case pageDown
    case top
    case bottom
    case nextTheme
    case toggleHelp
    case closeOverlay
    case quit

    /// Names used in a `[keys]` table and in the help overlay.
    public static let named: [(name: String, action: Action)] = [
        ("rollback", .rollback), ("ab_test", .abTest), ("pause", .togglePause),
        ("focus_next", .focusNext), ("focus_previous", .focusPrevious), ("up", .moveUp), ("down", .moveDown),
        ("page_up", .pageUp), ("page_down", .pageDown), ("top", .top), ("bottom", .bottom),
        ("theme", .nextTheme), ("help", .toggleHelp), ("quit", .quit),
    ] + (1...9).map { ("flag_\($0)", .toggleFlag($0)) }

    public var name: String {
        Self.named.first { $0.action == self }?.name ?? "close"
    }
}
