/// The footer: key letters highlighted, then what they do, htop's F-key bar for our keys. Hints
/// that do not fit are dropped from the end rather than cut in half.
public struct KeyHints {
    public var hints: [(key: String, label: String)]

    public init(_ hints: [(key: String, label: String)]) { self.hints = hints }

    public func draw(in canvas: inout Canvas, _ rect: Rect, _ context: RenderContext) {
        guard rect.width > 0, rect.height > 0 else { return }
        var x = rect.x + 1
        for hint in hints {
            let width = Canvas.displayWidth(hint.key) + 1 + Canvas.displayWidth(hint.label)
            if x + width > rect.maxX { break }
            x += canvas.text(hint.key, x: x, y: rect.y, style: context.theme.highlight)
            x += 1
            x += canvas.text(hint.label, x: x, y: rect.y, style: context.theme.graphText)
            x += 2
        }
    }
}
