/// The `?` screen: every key and what it does, in a box over the middle of the dashboard.
public struct HelpOverlay {
    public var entries: [(keys: String, meaning: String)]

    public init(entries: [(keys: String, meaning: String)]) { self.entries = entries }

    public static let title = "Help"

    public func draw(in canvas: inout Canvas, _ area: Rect, _ context: RenderContext) {
        let keyWidth = entries.map { Canvas.displayWidth($0.keys) }.max() ?? 0
        let textWidth = entries.map { Canvas.displayWidth($0.meaning) }.max() ?? 0
        let width = min(area.width, keyWidth + textWidth + 7)
        let height = min(area.height, entries.count + 4)
        let rect = Rect(x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2,
                        width: width, height: height)
        Box(title: Self.title, note: "? or Esc closes", borderKey: "hi_fg").draw(in: &canvas, rect, context)
        let inner = rect.inner.inset(0)
        for (i, entry) in entries.enumerated() where i + 1 < inner.height {
            let y = inner.y + 1 + i
            canvas.text(entry.keys, x: inner.x + 1, y: y, style: context.theme.highlight, maxWidth: keyWidth)
            canvas.text(entry.meaning, x: inner.x + keyWidth + 3, y: y, style: context.theme.text,
                        maxWidth: inner.maxX - (inner.x + keyWidth + 3), ellipsis: context.glyphs.ellipsis)
        }
    }
}
