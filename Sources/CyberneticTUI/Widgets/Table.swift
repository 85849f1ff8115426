/// Rows under a header with aligned columns: numbers right-aligned so digits line up, text
/// left-aligned and cut with an ellipsis. One column may be flexible and takes the spare width.
public struct Table {
    public struct Column: Sendable {
        public enum Alignment: Sendable { case left, right }
        public var title: String
        /// Fixed width; nil makes the column flexible.
        public var width: Int?
        public var alignment: Alignment

        public init(_ title: String, width: Int? = nil, alignment: Alignment = .left) {
            self.title = title
            self.width = width
            self.alignment = alignment
        }
    }

    public struct Cell: Sendable {
        public var text: String
        public var style: Style?

        public init(_ text: String, style: Style? = nil) {
            self.text = text
            self.style = style
        }
    }

    public var columns: [Column]
    public var rows: [[Cell]]
    public var selected: Int?
    /// The first row shown; the table keeps the selected row visible on its own.
    public var offset: Int
    public var showHeader: Bool

    public init(columns: [Column], rows: [[Cell]], selected: Int? = nil, offset: Int = 0, showHeader: Bool = true) {
        self.columns = columns
        self.rows = rows
        self.selected = selected
        self.offset = offset
        self.showHeader = showHeader
    }

    /// Widths for `total` columns of space, one space between columns. Fixed columns that do
    /// not fit are dropped from the right, so a narrow pane loses detail, not alignment.
    public func widths(for total: Int) -> [Int] {
        var widths = columns.map { $0.width ?? 0 }
        let flexible = columns.firstIndex { $0.width == nil }
        while widths.count > 1 {
            let used = widths.reduce(0, +) + widths.count - 1
            let spare = total - used
            if let flexible, flexible < widths.count {
                if spare >= 4 {
                    widths[flexible] = spare
                    return widths
                }
            } else if spare >= 0 {
                return widths
            }
            widths.removeLast()
        }
        return [total]
    }

    /// The first row to show so that `selected` is visible in `visible` rows.
    public static func scrollOffset(selected: Int?, offset: Int, visible: Int, count: Int) -> Int {
        var offset = min(max(0, offset), max(0, count - visible))
        if let selected, visible > 0 {
            if selected < offset { offset = selected }
            if selected >= offset + visible { offset = selected - visible + 1 }
        }
        return offset
    }

    public func draw(in canvas: inout Canvas, _ rect: Rect, _ context: RenderContext) {
        guard rect.width > 0, rect.height > 0 else { return }
        let widths = widths(for: rect.width)
        var y = rect.y
        if showHeader {
            drawRow(&canvas, columns.map { Cell($0.title) }, widths: widths, y: y, rect: rect, context: context,
                    base: context.theme.graphText.bolded)
            y += 1
        }
        let visible = rect.maxY - y
        let first = Self.scrollOffset(selected: selected, offset: offset, visible: visible, count: rows.count)
        for index in first..<min(rows.count, first + max(0, visible)) {
            let isSelected = index == selected
            let base = isSelected ? context.theme.selected : context.theme.text
            if isSelected { canvas.fill(Rect(x: rect.x, y: y, width: rect.width, height: 1), style: base) }
            drawRow(&canvas, rows[index], widths: widths, y: y, rect: rect, context: context, base: base, selected: isSelected)
            y += 1
        }
    }

    private func drawRow(_ canvas: inout Canvas, _ cells: [Cell], widths: [Int], y: Int, rect: Rect, context: RenderContext,
                         base: Style, selected: Bool = false) {
        var x = rect.x
        for (i, width) in widths.enumerated() where i < cells.count {
            var style = cells[i].style ?? base
            if selected {
                style.bg = base.bg
                style.monoReverse = true
                style.bold = true
            }
            let text = cells[i].text
            let shown = min(Canvas.displayWidth(text), width)
            let start = columns[i].alignment == .right ? x + width - shown : x
            canvas.text(text, x: start, y: y, style: style, maxWidth: width, ellipsis: context.glyphs.ellipsis)
            x += width + 1
        }
    }
}
