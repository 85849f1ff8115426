import CyberneticEngine
import Foundation

/// The engine's event log, newest at the bottom, following new events until the user scrolls
/// up (k / Up), like `tail -f` with a pause button. Failed commands show their stderr tail.
public struct EventsPane: Pane {
    public init() {}
    public var id: PaneID { .events }
    public var borderKey: String { "proc_box" }
    public var minimumHeight: Int { 4 }

    public func preferredHeight(_ snapshot: EngineSnapshot) -> Int { 2 + max(3, Self.lines(snapshot, context: nil).count) }

    /// The cursor is the number of lines scrolled back from the newest.
    public func cursorRange(_ snapshot: EngineSnapshot) -> Int { Self.lines(snapshot, context: nil).count }

    public func note(_ input: PaneInput) -> String? {
        input.cursor > 0 ? "scrolled back \(input.cursor), G follows" : "\(input.snapshot.events.filter { $0.level != .debug }.count) events"
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
        for event in snapshot.events where event.level != .debug {
            let at = Double(snapshot.uptimeMs) / 1000 - snapshot.time.timeIntervalSince(event.time)
            let time = String(format: "%7.1fs", max(0, at))
            let (label, style): (String, Style) = switch event.level {
            case .debug: ("debug", theme?.inactive ?? .plain)
            case .info: ("info ", theme?.ok ?? .plain)
            case .warning: ("warn ", theme?.warning ?? .plain)
            case .error: ("error", theme?.error ?? .plain)
            }
            out.append(LogView.Line([(time + " ", theme?.graphText ?? .plain), (label + " ", style),
                                     (SafeText.line(event.message), theme?.text ?? .plain)]))
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
