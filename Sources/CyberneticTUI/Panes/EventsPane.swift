import CyberneticEngine
import Foundation

/// The engine's event log, newest at the bottom, following new events until the user scrolls
/// up (k / Up), like `tail -f` with a pause button. Failed commands show their stderr tail.
/// Debug events (each task completion) are shown too, dimmed: they are what makes the log move
/// while a workload runs. A run of them in a row folds into one line, the newest with a count
/// of the others ("task lint finished in 3 ms  +28 more"), so a busy workload cannot push the
/// warnings and errors out of a small pane; the folded line still changes with every
/// completion. Headless output and the report keep to info and above.
public struct EventsPane: Pane {
    public init() {}
    public var id: PaneID { .events }
    public var borderKey: String { "proc_box" }
    public var minimumHeight: Int { 4 }

    public func preferredHeight(_ snapshot: EngineSnapshot) -> Int { 2 + max(3, Self.lines(snapshot, context: nil).count) }

    /// The cursor is the number of lines scrolled back from the newest.
    public func cursorRange(_ snapshot: EngineSnapshot) -> Int { Self.lines(snapshot, context: nil).count }

    public func note(_ input: PaneInput) -> String? {
        if input.cursor > 0 { return "scrolled back \(input.cursor), G follows" }
        let events = input.snapshot.events
        let debug = events.filter { $0.level == .debug }.count
        return "\(events.count - debug) events" + (debug > 0 ? " + \(debug) debug" : "")
    }

    public func drawContent(in canvas: inout Canvas, _ rect: Rect, _ input: PaneInput, _ context: RenderContext) {
        guard rect.height > 0 else { return }
        let lines = Self.lines(input.snapshot, context: context)
        if lines.isEmpty {
            canvas.text("no events yet", x: rect.x, y: rect.y, style: context.theme.inactive, maxWidth: rect.width)
            return
        }
        LogView(lines: lines, scrollBack: input.cursor).draw(in: &canvas, rect, context)
    }

    /// One line per event plus one per detail line. Without a context (for counting) styles are plain.
    static func lines(_ snapshot: EngineSnapshot, context: RenderContext?) -> [LogView.Line] {
        let theme = context?.theme
        var out: [LogView.Line] = []
        let events = snapshot.events
        for (index, event) in events.enumerated() {
            // Fold a run of debug events into its last one.
            var folded = 0
            if event.level == .debug {
                if index + 1 < events.count, events[index + 1].level == .debug { continue }
                var i = index - 1
                while i >= 0, events[i].level == .debug {
                    folded += 1
                    i -= 1
                }
            }
            let at = Double(snapshot.uptimeMs) / 1000 - snapshot.time.timeIntervalSince(event.time)
            let time = String(format: "%7.1fs", max(0, at))
            let (label, style): (String, Style) = switch event.level {
            case .debug: ("debug", theme?.inactive ?? .plain)
            case .info: ("info ", theme?.ok ?? .plain)
            case .warning: ("warn ", theme?.warning ?? .plain)
            case .error: ("error", theme?.error ?? .plain)
            }
            let dim = event.level == .debug
            var parts: [(text: String, style: Style)] = [(time + " ", (dim ? theme?.inactive : theme?.graphText) ?? .plain), (label + " ", style),
                                            (context?.glyphs.fit(SafeText.line(event.message)) ?? SafeText.line(event.message), (dim ? theme?.inactive : theme?.text) ?? .plain)]
            if folded > 0 { parts.append(("  +\(folded) more", theme?.inactive ?? .plain)) }
            out.append(LogView.Line(parts))
            if let detail = event.detail {
                for line in SafeText.clean(detail).split(separator: "\n").suffix(6) {
                    out.append(LogView.Line([("          " + (context?.glyphs.vertical.description ?? "|") + " ",
                                              theme?.divider ?? .plain),
                                             (String(line), theme?.inactive ?? .plain)]))
                }
            }
        }
        return out
    }
}
