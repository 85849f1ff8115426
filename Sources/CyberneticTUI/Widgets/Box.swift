/// A rounded box with the pane's number and title in the top border, btop style, and an optional
/// note on the right of the border ("paused", "rev 3"). Focus shows as a highlighted border.
public struct Box {
    public var title: String
    public var number: Int?
    public var note: String?
    public var borderKey: String
    public var focused: Bool

    public init(title: String, number: Int? = nil, note: String? = nil, borderKey: String = "div_line", focused: Bool = false) {
        self.title = title
        self.number = number
        self.note = note
        self.borderKey = borderKey
        self.focused = focused
    }

    public func draw(in canvas: inout Canvas, _ rect: Rect, _ context: RenderContext) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let g = context.glyphs
        let theme = context.theme
        var border = focused ? Style(fg: theme.color("hi_fg"), bg: theme.bg, bold: true) : theme.box(borderKey)
        if !context.colors && !focused { border.dim = true }
        canvas.fill(rect.inner, style: theme.text)
        for x in rect.x + 1..<rect.maxX - 1 {
            canvas.put(g.horizontal, x: x, y: rect.y, style: border)
            canvas.put(g.horizontal, x: x, y: rect.maxY - 1, style: border)
        }
        for y in rect.y + 1..<rect.maxY - 1 {
            canvas.put(g.vertical, x: rect.x, y: y, style: border)
            canvas.put(g.vertical, x: rect.maxX - 1, y: y, style: border)
        }
        canvas.put(g.topLeft, x: rect.x, y: rect.y, style: border)
        canvas.put(g.topRight, x: rect.maxX - 1, y: rect.y, style: border)
        canvas.put(g.bottomLeft, x: rect.x, y: rect.maxY - 1, style: border)
        canvas.put(g.bottomRight, x: rect.maxX - 1, y: rect.maxY - 1, style: border)

        // ╭─┤1 Startup├──── note ─╮ ; the note goes first to whatever the title leaves.
        var x = rect.x + 2
        let right = rect.maxX - 2
        canvas.put(g.titleLeft, x: x, y: rect.y, style: border)
        x += 1
        if let number {
            x += canvas.text("\(number) ", x: x, y: rect.y, style: theme.highlight, maxWidth: right - x - 1)
        }
        var titleStyle = theme.title
        titleStyle.underline = focused && !context.colors
        x += canvas.text(title, x: x, y: rect.y, style: titleStyle, maxWidth: right - x - 1, ellipsis: g.ellipsis)
        canvas.put(g.titleRight, x: x, y: rect.y, style: border)
        x += 1
        if let note, !note.isEmpty {
            let width = Canvas.displayWidth(note)
            let start = right - width - 1
            if start > x + 1 {
                canvas.put(g.titleLeft, x: start - 1, y: rect.y, style: border)
                canvas.text(note, x: start, y: rect.y, style: theme.graphText, maxWidth: width)
                canvas.put(g.titleRight, x: start + width, y: rect.y, style: border)
            }
        }
    }
}
