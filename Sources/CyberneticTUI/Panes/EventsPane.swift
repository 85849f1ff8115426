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

    public func preferredHeight(_ snapshot: EngineSnapshot) -> Int { 2 + max(3, Self.lineCount(snapshot)) }

    /// The cursor is the number of lines scrolled back from the newest.
    public func cursorRange(_ snapshot: EngineSnapshot) -> Int { Self.lineCount(snapshot) }

    public func note(_ input: PaneInput) -> String? {
        if input.cursor > 0 { return "scrolled back \(input.cursor), G follows" }
        let events = input.snapshot.events
        let debug = events.filter { $0.level == .debug }.count
        return "\(events.count - debug) events" + (debug > 0 ? " + \(debug) debug" : "")
    }

    /// Formats only the lines on screen: the log holds hundreds of events and a frame shows a few.
    public func drawContent(in canvas: inout Canvas, _ rect: Rect, _ input: PaneInput, _ context: RenderContext) {
        guard rect.height > 0 else { return }
        let total = Self.lineCount(input.snapshot)
        if total == 0 {
            canvas.text("no events yet", x: rect.x, y: rect.y, style: context.theme.inactive, maxWidth: rect.width)
            return
        }
        let back = min(max(input.cursor, 0), LogView.maxScrollBack(count: total, visible: rect.height))
        let lines = Self.lines(input.snapshot, context: context, last: rect.height + back)
        LogView(lines: lines, scrollBack: back).draw(in: &canvas, rect, context)
    }

    /// The events that get a line of their own, with how many debug events each one folds.
    static func shown(_ events: [EngineEvent]) -> [(index: Int, folded: Int)] {
        var out: [(index: Int, folded: Int)] = []
        var debugRun = 0
        for (index, event) in events.enumerated() {
            guard event.level == .debug else {
                debugRun = 0
                out.append((index, 0))
                continue
            }
            // A run of debug events folds into its last one.
            if index + 1 < events.count, events[index + 1].level == .debug {
                debugRun += 1
                continue
            }
            out.append((index, debugRun))
            debugRun = 0
        }
        return out
    }

    static func detailLines(_ event: EngineEvent) -> [Substring] {
        guard let detail = event.detail else { return [] }
        return Array(SafeText.clean(detail).split(separator: "\n").suffix(6))
    }

    static func lineCount(_ snapshot: EngineSnapshot) -> Int {
        shown(snapshot.events).reduce(0) { $0 + 1 + detailLines(snapshot.events[$1.index]).count }
    }

    /// One line per shown event plus one per detail line, the newest `last` of them (all when
    /// nil). Without a context (for counting) styles are plain.
    static func lines(_ snapshot: EngineSnapshot, context: RenderContext?, last: Int? = nil) -> [LogView.Line] {
        let theme = context?.theme
        let events = snapshot.events
        var out: [LogView.Line] = []
        for (index, folded) in shown(events).reversed() {
            if let last, out.count >= last { break }
            let event = events[index]
            for line in detailLines(event).reversed() {
                out.append(LogView.Line([("          " + (context?.glyphs.vertical.description ?? "|") + " ",
                                          theme?.divider ?? .plain),
                                         (String(line), theme?.inactive ?? .plain)]))
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
            let message = SafeText.line(event.message)
            var parts: [(text: String, style: Style)] = [
                (time + " ", (dim ? theme?.inactive : theme?.graphText) ?? .plain), (label + " ", style),
                (context?.glyphs.fit(message) ?? message, (dim ? theme?.inactive : theme?.text) ?? .plain),
            ]
            if folded > 0 { parts.append(("  +\(folded) more", theme?.inactive ?? .plain)) }
            out.append(LogView.Line(parts))
        }
        if let last, out.count > last { out.removeLast(out.count - last) }
        return out.reversed()
    }
}
