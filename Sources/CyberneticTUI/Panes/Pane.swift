import CyberneticEngine

/// What a pane draws from: one snapshot, the TUI's own histories, and the pane's view state.
public struct PaneInput: Sendable {
    public var snapshot: EngineSnapshot
    public var histories: Histories
    public var focused: Bool
    /// The pane's cursor: a selected row, or for the event log the lines scrolled back.
    public var cursor: Int

    public init(snapshot: EngineSnapshot, histories: Histories = Histories(), focused: Bool = false, cursor: Int = 0) {
        self.snapshot = snapshot
        self.histories = histories
        self.focused = focused
        self.cursor = cursor
    }
}

/// One box of the dashboard. Panes are stateless: everything they show comes from `PaneInput`,
/// which is what lets tests render any pane from a hand-built snapshot.
public protocol Pane: Sendable {
    var id: PaneID { get }
    /// The btop box color key for the border.
    var borderKey: String { get }
    /// Rows, borders included, below which the pane is useless.
    var minimumHeight: Int { get }
    /// Rows, borders included, to show everything without scrolling.
    func preferredHeight(_ snapshot: EngineSnapshot) -> Int
    /// Rows, borders included, for what matters most, where a crowded layout shares a column.
    func compactHeight(_ snapshot: EngineSnapshot) -> Int
    /// Rows the cursor moves over (0 when the pane has none).
    func cursorRange(_ snapshot: EngineSnapshot) -> Int
    /// Text for the right of the top border.
    func note(_ input: PaneInput) -> String?
    /// Draws the inside of the box.
    func drawContent(in canvas: inout Canvas, _ rect: Rect, _ input: PaneInput, _ context: RenderContext)
}

extension Pane {
    public func note(_ input: PaneInput) -> String? { nil }
    public func compactHeight(_ snapshot: EngineSnapshot) -> Int { preferredHeight(snapshot) }

    /// Box and content: what the dashboard calls for each pane.
    public func draw(in canvas: inout Canvas, _ rect: Rect, _ input: PaneInput, _ context: RenderContext) {
        Box(title: id.title, number: id.rawValue, note: note(input), borderKey: borderKey, focused: input.focused)
            .draw(in: &canvas, rect, context)
        drawContent(in: &canvas, rect.inner, input, context)
    }
}

/// Every pane, in PaneID order.
public let allPanes: [any Pane] = [
    StartupPane(), MemoryPane(), ProcessPoolPane(), CachePane(), QueuePane(), OptimizationsPane(), EventsPane(),
]

public func pane(_ id: PaneID) -> any Pane { allPanes[id.rawValue - 1] }

/// Draws labelled values in one row, "label value  label value", values highlighted; stops at
/// the first pair that does not fit so a narrow pane shows the most important numbers.
func drawPairs(_ pairs: [(label: String, value: String, style: Style?)], in canvas: inout Canvas, _ row: Rect,
               _ context: RenderContext) {
    var x = row.x
    for pair in pairs {
        let width = (pair.label.isEmpty ? 0 : Canvas.displayWidth(pair.label) + 1) + Canvas.displayWidth(pair.value)
        if x + width > row.maxX { break }
        if !pair.label.isEmpty {
            x += canvas.text(pair.label, x: x, y: row.y, style: context.theme.graphText) + 1
        }
        x += canvas.text(pair.value, x: x, y: row.y, style: pair.style ?? context.theme.highlight) + 2
    }
}

/// A history as a graph filling `rect`: braille when there are two rows or more, a sparkline in
/// one row. `scale` labels the top of the graph ("100%", "max 12") in its top-left corner.
func drawGraph(_ history: History, maximum: Double, gradient: Gradient, scale: String?,
               in canvas: inout Canvas, _ rect: Rect, _ context: RenderContext) {
    guard rect.height > 0, rect.width > 0 else { return }
    if rect.height >= 2 {
        BrailleGraph(values: history.values, maximum: maximum, gradient: gradient).draw(in: &canvas, rect, context)
    } else {
        Sparkline(values: history.values, maximum: maximum, gradient: gradient).draw(in: &canvas, rect, context)
    }
    if let scale, rect.height >= 2 {
        canvas.text(scale, x: rect.x, y: rect.y, style: context.theme.graphText, maxWidth: rect.width)
    }
}
