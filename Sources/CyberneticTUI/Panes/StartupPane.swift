import CyberneticEngine

/// The start-up phases as a timeline (systemd-analyze's plot in a box): each phase's bar sits
/// where it ran on a shared time axis, so parallel phases overlap and the critical path shows.
public struct StartupPane: Pane {
    public init() {}
    public var id: PaneID { .startup }
    public var borderKey: String { "cpu_box" }
    public var minimumHeight: Int { 4 }

    public func preferredHeight(_ snapshot: EngineSnapshot) -> Int {
        let errors = snapshot.startup.phases.contains { $0.error != nil } ? 1 : 0
        return min(10, 2 + 1 + max(1, snapshot.startup.phases.count) + errors)
    }

    public func cursorRange(_ snapshot: EngineSnapshot) -> Int { snapshot.startup.phases.count }

    public func note(_ input: PaneInput) -> String? {
        let s = input.snapshot.startup
        return s.totalMs > 0 ? Format.duration(ms: s.totalMs) : nil
    }

    public func drawContent(in canvas: inout Canvas, _ rect: Rect, _ input: PaneInput, _ context: RenderContext) {
        guard rect.height > 0 else { return }
        let startup = input.snapshot.startup
        let phases = startup.phases
        let theme = context.theme
        let g = context.glyphs

        let done = phases.filter { $0.state.isUp }.count
        let (summary, summaryStyle): (String, Style) = switch startup.state {
        case .pending: ("waiting to start", theme.inactive)
        case .starting: ("starting: \(done)/\(phases.count) phases up", theme.warning)
        case .ready: ("\(g.check) ready in \(Format.duration(ms: startup.totalMs))", theme.ok)
        case .failed: ("\(g.cross) start-up failed", theme.error)
        case .rolledBack: ("\(g.cross) failed and rolled back", theme.error)
        }
        var x = rect.x + canvas.text(summary, x: rect.x, y: rect.y, style: summaryStyle.bolded, maxWidth: rect.width)
        if !startup.criticalPath.isEmpty {
            let path = "  critical: " + startup.criticalPath.joined(separator: " \(g.arrow) ")
            x += canvas.text(path, x: x, y: rect.y, style: theme.graphText, maxWidth: rect.maxX - x, ellipsis: g.ellipsis)
        }
        if phases.isEmpty {
            canvas.text("no start-up phases in this workload", x: rect.x, y: rect.y + 1, style: theme.inactive,
                        maxWidth: rect.width)
            return
        }

        let failed = phases.first { $0.error != nil }
        let detailRows = failed == nil ? 0 : 1
        let rows = rect.rows(from: 1, count: rect.height - 1 - detailRows)
        let nameWidth = min(max(phases.map { Canvas.displayWidth($0.name) }.max() ?? 0, 5), max(5, rect.width / 3))
        let tookWidth = 7
        let barX = rect.x + 2 + nameWidth + 1
        let barWidth = rect.maxX - tookWidth - 1 - barX
        // The axis ends at the last finish, or at "now" while phases are still running.
        let nowMs = max(0, input.snapshot.uptimeMs)
        let span = max(1, phases.map { phase -> Int64 in
            guard let start = phase.startMs else { return 0 }
            return start + (phase.durationMs ?? max(0, nowMs - start))
        }.max() ?? 1)
        let cursor = input.focused ? input.cursor : nil
        let first = Table.scrollOffset(selected: cursor, offset: 0, visible: rows.height, count: phases.count)
        for (row, index) in (first..<min(phases.count, first + rows.height)).enumerated() {
            let phase = phases[index]
            let y = rows.y + row
            let selected = cursor == index
            let base = selected ? theme.selected : theme.text
            if selected { canvas.fill(Rect(x: rect.x, y: y, width: rect.width, height: 1), style: base) }
            let (glyph, glyphStyle) = Self.glyph(phase.state, context)
            canvas.put(glyph, x: rect.x, y: y, style: selected ? base : glyphStyle)
            var nameStyle = base
            if startup.criticalPath.contains(phase.name) && !selected { nameStyle = theme.highlight }
            canvas.text(phase.name, x: rect.x + 2, y: y, style: nameStyle, maxWidth: nameWidth, ellipsis: g.ellipsis)
            if barWidth >= 4, let start = phase.startMs {
                let duration = phase.durationMs ?? max(0, nowMs - start)
                let from = Int(Double(start) / Double(span) * Double(barWidth))
                let length = max(1, Int((Double(duration) / Double(span) * Double(barWidth)).rounded()))
                let gradient = phase.state == .failed || phase.state == .timedOut
                    ? Gradient(start: theme.color("error_fg") ?? RGB(255, 0, 0)) : theme.gradient("process")
                for i in from..<min(barWidth, from + length) {
                    canvas.put(g.meterFull, x: barX + i, y: y,
                               style: Style(fg: gradient.at(Double(i) / Double(max(1, barWidth - 1))), bg: base.bg))
                }
            }
            let took = phase.durationMs.map { Format.duration(ms: $0) } ?? (phase.state == .pending ? "" : "…")
            canvas.text(took, x: rect.maxX - Canvas.displayWidth(took), y: y, style: base, maxWidth: tookWidth)
        }
        if let failed, let error = failed.error {
            let shown = input.focused && phases.indices.contains(input.cursor) && phases[input.cursor].error != nil
                ? phases[input.cursor] : failed
            canvas.text("\(shown.name): " + SafeText.line(shown.error ?? error), x: rect.x, y: rect.maxY - 1,
                        style: theme.error, maxWidth: rect.width, ellipsis: g.ellipsis)
        }
    }

    static func glyph(_ state: PhaseState, _ context: RenderContext) -> (Character, Style) {
        let g = context.glyphs
        let t = context.theme
        return switch state {
        case .pending: (g.pending, t.inactive)
        case .running, .checking: (g.running, t.warning)
        case .succeeded, .healthy: (g.check, t.ok)
        case .failed, .timedOut: (g.cross, t.error)
        case .skipped, .stopped: (g.dot, t.inactive)
        case .rollingBack, .rolledBack: (g.down, t.warning)
        }
    }
}
