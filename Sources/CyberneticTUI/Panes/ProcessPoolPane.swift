import CyberneticEngine

/// The warm process pool: how much of it is busy over time, and per runtime how many spares
/// wait, how many work, how many were started and how many crashed.
public struct ProcessPoolPane: Pane {
    public init() {}
    public var id: PaneID { .processPool }
    public var borderKey: String { "proc_box" }
    public var minimumHeight: Int { 4 }

    public func preferredHeight(_ snapshot: EngineSnapshot) -> Int { 2 + 1 + 3 + 1 + max(1, snapshot.processPool.runtimes.count) }
    public func cursorRange(_ snapshot: EngineSnapshot) -> Int { snapshot.processPool.runtimes.count }

    public func note(_ input: PaneInput) -> String? {
        guard input.snapshot.optimizations.flags[.processPool] else { return "process_pool off" }
        let open = input.snapshot.processPool.runtimes.filter { $0.circuit == .open }.map { SafeText.line($0.runtime) }
        return open.isEmpty ? nil : "circuit open: " + open.joined(separator: ", ")
    }

    /// The runtime's name, and when its circuit is not closed what that means for its commands.
    static func runtimeText(_ r: RuntimeStats) -> String {
        let name = SafeText.line(r.runtime)
        switch r.circuit {
        case .closed: return name
        case .open: return name + " circuit open: direct spawn"
        case .halfOpen: return name + " circuit half-open: probing"
        }
    }

    private static func runtimeStyle(_ r: RuntimeStats, _ theme: Theme) -> Style? {
        switch r.circuit {
        case .closed: nil
        case .open: theme.error
        case .halfOpen: theme.warning
        }
    }

    public func drawContent(in canvas: inout Canvas, _ rect: Rect, _ input: PaneInput, _ context: RenderContext) {
        guard rect.height > 0 else { return }
        let runtimes = input.snapshot.processPool.runtimes
        let theme = context.theme
        let use = Histories.poolUse(input.snapshot.processPool)
        let busy = runtimes.reduce(0) { $0 + $1.busy }
        let warm = runtimes.reduce(0) { $0 + $1.warm }
        let spawned = runtimes.reduce(0) { $0 + $1.spawned }
        let crashes = runtimes.reduce(0) { $0 + $1.crashes }
        drawPairs([("use", Format.percent(use), nil), ("busy", "\(busy)", nil), ("warm", "\(warm)", nil),
                   ("spawned", Format.count(spawned), nil), ("crashes", "\(crashes)", crashes > 0 ? theme.error : nil)],
                  in: &canvas, rect.row(0), context)
        if runtimes.isEmpty {
            // Nothing has started: an empty graph under zeros would look like data.
            canvas.text(input.snapshot.optimizations.flags[.processPool] ? "no runtime started yet" : "commands are spawned directly",
                        x: rect.x, y: rect.y + 1, style: theme.inactive, maxWidth: rect.width)
            return
        }
        let tableRows = 1 + runtimes.count
        let spare = rect.height - 1 - tableRows
        let graphHeight = spare >= 1 ? min(spare, 8) : (rect.height >= 2 ? 1 : 0)
        let graphRect = rect.rows(from: 1, count: graphHeight)
        drawGraph(input.histories.poolUse, maximum: 100, gradient: theme.gradient("cpu"), scale: "100%",
                  in: &canvas, graphRect, context)
        let tableRect = rect.rows(from: 1 + graphRect.height, count: rect.height - 1 - graphRect.height)
        guard tableRect.height > 0 else { return }
        if tableRect.height == 1 {
            let summary = runtimes.map { "\(Self.runtimeText($0)) \($0.busy)/\($0.busy + $0.warm)" }
            canvas.text("busy " + summary.joined(separator: "  "), x: tableRect.x, y: tableRect.y, style: theme.graphText,
                        maxWidth: tableRect.width, ellipsis: context.glyphs.ellipsis)
            return
        }
        Table(columns: [.init("runtime"), .init("warm", width: 5, alignment: .right), .init("busy", width: 5, alignment: .right),
                        .init("spawned", width: 8, alignment: .right), .init("crashes", width: 8, alignment: .right)],
              rows: runtimes.map { r in
                  [.init(Self.runtimeText(r), style: Self.runtimeStyle(r, theme)), .init("\(r.warm)"), .init("\(r.busy)"), .init(Format.count(r.spawned)),
                   .init("\(r.crashes)", style: r.crashes > 0 ? theme.error : nil)]
              },
              selected: input.focused ? input.cursor : nil)
            .draw(in: &canvas, tableRect, context)
    }
}
