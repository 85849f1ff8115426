import CyberneticEngine

/// Every optimization flag, numbered for the 1–9 keys, with the configuration revision it has
/// produced, then (as room allows) A/B verdicts, optimizer decisions and the revision history.
public struct OptimizationsPane: Pane {
    public init() {}
    public var id: PaneID { .optimizations }
    public var borderKey: String { "cpu_box" }
    /// Every flag the 1–9 keys reach must be visible, or a key would toggle something unseen.
    public var minimumHeight: Int { 2 + min(9, FeatureFlag.allCases.count) + 1 }

    /// The flags and the revision line; A/B tests, decisions and history fill any extra room.
    public func preferredHeight(_ snapshot: EngineSnapshot) -> Int { 2 + snapshot.optimizations.flags.ordered.count + 1 }

    public func cursorRange(_ snapshot: EngineSnapshot) -> Int { min(9, snapshot.optimizations.flags.ordered.count) }

    public func note(_ input: PaneInput) -> String? {
        let o = input.snapshot.optimizations
        return "rev \(o.revision)" + (o.revision == o.knownGoodRevision ? "" : ", good \(o.knownGoodRevision)")
    }

    public func drawContent(in canvas: inout Canvas, _ rect: Rect, _ input: PaneInput, _ context: RenderContext) {
        guard rect.height > 0 else { return }
        let o = input.snapshot.optimizations
        let theme = context.theme
        let g = context.glyphs
        let flags = o.flags.ordered
        let selected = min(max(0, input.cursor), max(0, flags.count - 1))
        let flagRows = min(flags.count, rect.height)
        let first = Table.scrollOffset(selected: selected, offset: 0, visible: flagRows, count: flags.count)
        for (row, index) in (first..<min(flags.count, first + flagRows)).enumerated() {
            let (flag, enabled) = flags[index]
            let y = rect.y + row
            // The selection is what `a` tests, so it shows even when the pane is not focused.
            let isSelected = index == selected
            let base = isSelected ? (input.focused ? theme.selected : Style(fg: theme.color("selected_fg"), bg: theme.bg, underline: true)) : theme.text
            if isSelected && input.focused { canvas.fill(Rect(x: rect.x, y: y, width: rect.width, height: 1), style: base) }
            let key = index < 9 ? "\(index + 1)" : " "
            canvas.text(key, x: rect.x, y: y, style: isSelected && input.focused ? base : theme.highlight)
            let mark = enabled ? g.check : g.cross
            var markStyle = enabled ? theme.ok : theme.inactive
            if isSelected && input.focused { markStyle.bg = base.bg }
            canvas.put(mark, x: rect.x + 2, y: y, style: markStyle)
            var nameStyle = enabled ? base : (isSelected && input.focused ? base : theme.inactive)
            nameStyle.underline = base.underline
            canvas.text(flag.rawValue, x: rect.x + 4, y: y, style: nameStyle, maxWidth: rect.width - 9, ellipsis: g.ellipsis)
            let state = enabled ? "on" : "off"
            var stateStyle = enabled ? theme.ok : theme.inactive
            if isSelected && input.focused { stateStyle.bg = base.bg }
            canvas.text(state, x: rect.maxX - 3, y: y, style: stateStyle.bolded)
        }
        var y = rect.y + flagRows
        func line(_ text: String, _ style: Style) {
            guard y < rect.maxY else { return }
            canvas.text(g.fit(text), x: rect.x, y: y, style: style, maxWidth: rect.width, ellipsis: g.ellipsis)
            y += 1
        }
        guard y < rect.maxY else { return }
        let atGood = o.revision == o.knownGoodRevision
        drawPairs([("revision", "\(o.revision)", nil),
                   ("known-good", "\(o.knownGoodRevision)", atGood ? theme.ok : theme.warning)],
                  in: &canvas, rect.row(y - rect.y), context)
        y += 1
        line("loop: \(SafeText.line(o.loopState)) · window \(o.windows)", o.loopState.hasPrefix("off") ? theme.inactive : theme.text)
        line(Self.tuningLine(o.tuning), theme.graphText)
        guard y + 1 < rect.maxY else { return }
        line("A/B tests", theme.title)
        if o.abTests.isEmpty {
            line("none yet: a tests the selected flag", theme.inactive)
        }
        for test in o.abTests.reversed() {
            let style = test.verdict == "worse" ? theme.error : test.verdict == "better" ? theme.ok
                : test.verdict == "running" ? theme.highlight : theme.text
            line(Self.abLine(test), style)
        }
        if !o.decisions.isEmpty, y + 1 < rect.maxY {
            line("Decisions", theme.title)
            for d in o.decisions.suffix(5).reversed() {
                let style = d.outcome == "rolled back" ? theme.warning : d.outcome == "kept" ? theme.ok : theme.text
                let detail = d.effect ?? d.reason
                line("\(SafeText.line(d.action)) \(SafeText.line(d.outcome)): \(SafeText.line(detail))", style)
            }
        }
        if !o.revisions.isEmpty, y + 1 < rect.maxY {
            line("Revisions", theme.title)
            for r in o.revisions.suffix(6).reversed() {
                let changes = r.changes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value ? "on" : "off")" }
                let what = changes.isEmpty ? (r.note.map(SafeText.line) ?? "initial") : changes.joined(separator: ", ")
                line("#\(r.number) \(SafeText.line(r.by)): \(what)", r.number == o.knownGoodRevision ? theme.ok : theme.text)
            }
        }
    }

    static func tuningLine(_ t: Tuning) -> String {
        let pool = t.poolMin.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        return "limit \(t.concurrency) · ttl \(Tuning.format(t.cacheTTLSeconds))" + (pool.isEmpty ? "" : " · spares " + pool.joined(separator: ", "))
    }

    static func abLine(_ test: ABTestResult) -> String {
        let medians = "med \(format(test.medianA))→\(format(test.medianB)) ms"
        if test.verdict == "running" {
            return "\(SafeText.line(test.flag)) running n=\(test.nA)/\(test.nB) \(medians)"
        }
        return "\(SafeText.line(test.flag)) \(test.verdict) p=\(String(format: "%.4f", test.pValue)) n=\(test.nA)/\(test.nB) \(medians)"
    }

    static func format(_ ms: Double) -> String { ms >= 10 ? "\(Int(ms.rounded()))" : String(format: "%.1f", ms) }
}
