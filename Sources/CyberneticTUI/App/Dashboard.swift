import CyberneticEngine

/// Builds a whole frame from one snapshot: header, the seven panes, footer, then overlays.
/// Pure: the same inputs give the same canvas, which is what the tests read.
public struct Dashboard: Sendable {
    public var keyMap: KeyMap

    public init(keyMap: KeyMap = .standard) {
        self.keyMap = keyMap
    }

    public func render(snapshot: EngineSnapshot?, histories: Histories, view: ViewState, context: RenderContext,
                       width: Int, height: Int, themeName: String? = nil) -> Canvas {
        var canvas = Canvas(width: width, height: height, fill: context.theme.text)
        guard let layout = Layout.compute(width: width, height: height, snapshot: snapshot) else {
            drawTooSmall(in: &canvas, context)
            return canvas
        }
        drawHeader(in: &canvas, layout.header, snapshot, themeName: themeName, context)
        if let snapshot {
            for id in PaneID.allCases {
                guard let rect = layout.panes[id] else { continue }
                let input = PaneInput(snapshot: snapshot, histories: histories, focused: view.focus == id,
                                      cursor: view.cursor(id))
                pane(id).draw(in: &canvas, rect, input, context)
            }
        } else {
            canvas.text("waiting for the engine's first snapshot…", x: 2, y: 2, style: context.theme.inactive)
        }
        KeyHints(hints(snapshot)).draw(in: &canvas, layout.footer, context)
        if let toast = view.toast {
            toast.draw(in: &canvas, Rect(x: 0, y: height - 2, width: width, height: 1), context)
        }
        if view.helpVisible {
            HelpOverlay(entries: helpEntries()).draw(in: &canvas, canvas.bounds.inset(2), context)
        }
        return canvas
    }

    /// The largest cursor per pane for the current layout: rows minus one, and for the event log
    /// how far it can scroll back before the oldest line reaches the top.
    public func limits(snapshot: EngineSnapshot?, width: Int, height: Int) -> [PaneID: Int] {
        guard let snapshot, let layout = Layout.compute(width: width, height: height, snapshot: snapshot) else { return [:] }
        var limits: [PaneID: Int] = [:]
        for id in PaneID.allCases {
            let range = pane(id).cursorRange(snapshot)
            if id == .events {
                let visible = (layout.panes[id]?.height ?? 2) - 2
                limits[id] = LogView.maxScrollBack(count: range, visible: visible)
            } else {
                limits[id] = max(0, range - 1)
            }
        }
        return limits
    }

    /// Rows a page key moves in the focused pane.
    public func pageSize(for pane: PaneID, width: Int, height: Int) -> Int {
        guard let layout = Layout.compute(width: width, height: height, snapshot: nil),
              let rect = layout.panes[pane] else { return 10 }
        return max(1, rect.height - 3)
    }

    func drawHeader(in canvas: inout Canvas, _ row: Rect, _ snapshot: EngineSnapshot?, themeName: String?,
                    _ context: RenderContext) {
        let theme = context.theme
        let g = context.glyphs
        canvas.fill(row, style: theme.text)
        var x = row.x + 1
        x += canvas.text("cybernetic", x: x, y: row.y, style: theme.title) + 2
        guard let s = snapshot else { return }
        let stateStyle: Style = switch s.state {
        case .running: theme.ok
        case .starting, .stopping: theme.warning
        case .idle, .stopped: theme.highlight
        case .failed: theme.error
        }
        // In order of importance; a segment that does not fit is left out and the next tried.
        var segments: [[(String, Style)]] = [
            [("\(g.running) ", stateStyle), (s.state.rawValue, stateStyle.bolded)],
            [("up ", theme.graphText), (Format.uptime(ms: s.uptimeMs), theme.text)],
            [("rev ", theme.graphText), ("\(s.optimizations.revision)", theme.highlight)]
                + (s.optimizations.revision == s.optimizations.knownGoodRevision ? []
                   : [(" good \(s.optimizations.knownGoodRevision)", theme.warning)]),
            [("tasks ", theme.graphText), ("\(Format.count(s.totals.completed)) done", theme.ok),
             (" \(Format.count(s.totals.failed + s.totals.timedOut)) failed",
              s.totals.failed + s.totals.timedOut > 0 ? theme.error : theme.graphText)],
        ]
        if s.queue.inFlight > 0 { segments.append([("\(s.queue.inFlight) running", theme.graphText)]) }
        if s.intakePaused { segments.insert([("PAUSED", theme.warning)], at: 1) }
        segments.append([(SafeText.line(s.source), theme.inactive)])
        for segment in segments {
            let width = segment.reduce(0) { $0 + Canvas.displayWidth($1.0) }
            if x + width > row.maxX - 1 { continue }
            for (text, style) in segment { x += canvas.text(text, x: x, y: row.y, style: style) }
            x += 2
        }
        if let themeName {
            let right = "theme \(themeName)"
            let width = Canvas.displayWidth(right)
            if row.maxX - width - 1 > x { canvas.text(right, x: row.maxX - width - 1, y: row.y, style: theme.inactive) }
        }
    }

    func hints(_ snapshot: EngineSnapshot?) -> [(key: String, label: String)] {
        func key(_ action: Action) -> String? { keyMap.key(for: action)?.description }
        var out: [(String, String)] = []
        let count = min(9, snapshot?.optimizations.flags.ordered.count ?? FeatureFlag.allCases.count)
        if let first = key(.toggleFlag(1)), let last = key(.toggleFlag(count)) {
            out.append((count > 1 ? "\(first)-\(last)" : first, "flags"))
        }
        let paused = snapshot?.intakePaused ?? false
        // In order of importance: what does not fit at the right edge is dropped.
        let list: [(Action, String)] = [(.rollback, "rollback"), (.abTest, "A/B"), (.togglePause, paused ? "resume" : "pause"),
                                        (.focusNext, "focus"), (.nextTheme, "theme"), (.toggleHelp, "help"),
                                        (.quit, "quit"), (.moveDown, "move")]
        for (action, label) in list {
            if let k = key(action) {
                if action == .moveDown, let up = key(.moveUp) { out.append(("\(k)/\(up)", label)) } else { out.append((k, label)) }
            }
        }
        return out
    }

    func helpEntries() -> [(keys: String, meaning: String)] {
        func keys(_ action: Action) -> String {
            let names: [String] = keyMap.bindings.filter { $0.value == action }.map { $0.key.description }
            let bound = names.sorted { (a: String, b: String) -> Bool in a.count == b.count ? a < b : a.count < b.count }
            return bound.isEmpty ? "(unbound)" : bound.joined(separator: " ")
        }
        let flagKeys: [String] = (1...9).compactMap { keyMap.key(for: .toggleFlag($0))?.description }
        let standardFlags = flagKeys == (1...9).map { String($0) }
        return [
            (standardFlags ? "1-9" : flagKeys.joined(separator: " "),
             "toggle the n-th flag of the Optimizations pane"),
            (keys(.rollback), "roll back to the last known-good configuration"),
            (keys(.abTest), "start an A/B test of the selected flag"),
            (keys(.togglePause), "pause / resume task intake"),
            (keys(.focusNext), "focus the next pane"),
            (keys(.focusPrevious), "focus the previous pane"),
            (keys(.moveUp) + " / " + keys(.moveDown), "move inside the focused pane (events: scroll)"),
            (keys(.pageUp) + " / " + keys(.pageDown), "move a page"),
            (keys(.top) + " / " + keys(.bottom), "first / last row (events: oldest / follow)"),
            (keys(.nextTheme), "next theme"),
            (keys(.toggleHelp), "this help"),
            (keys(.quit), "quit, restoring the terminal"),
        ]
    }

    func drawTooSmall(in canvas: inout Canvas, _ context: RenderContext) {
        let lines = [
            ("Terminal too small: \(canvas.width)x\(canvas.height)", context.theme.warning),
            ("Cybernetic needs at least \(Layout.minimumWidth)x\(Layout.minimumHeight).", context.theme.text),
            ("Enlarge the window, or press q to quit.", context.theme.graphText),
        ]
        let top = max(0, (canvas.height - lines.count) / 2)
        for (i, (text, style)) in lines.enumerated() {
            let width = Canvas.displayWidth(text)
            canvas.text(text, x: max(0, (canvas.width - width) / 2), y: top + i, style: style)
        }
    }
}
