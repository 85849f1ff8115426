/// One bar split into parts, such as queue depth by priority: each part takes its own color and
/// fill character, and the bar's length is the parts' sum against `total`. Any non-zero part
/// gets at least one cell while there is room, so one critical task in a deep queue still shows.
public struct StackedBar {
    public struct Part: Sendable {
        public var value: Int
        public var color: RGB?
        public var glyph: Character

        public init(value: Int, color: RGB?, glyph: Character) {
            self.value = value
            self.color = color
            self.glyph = glyph
        }
    }

    public var parts: [Part]
    /// The value that fills the whole bar.
    public var total: Int

    public init(parts: [Part], total: Int) {
        self.parts = parts
        self.total = total
    }

    /// Cells per part for a bar `width` cells wide: the filled length as a meter would fill it,
    /// shared by largest remainder after every non-zero part has its one cell.
    public func cells(width: Int) -> [Int] {
        let values = parts.map { max(0, $0.value) }
        let sum = values.reduce(0, +)
        var cells = values.map { _ in 0 }
        guard width > 0, sum > 0 else { return cells }
        let filled = Meter.filled(Double(sum) / Double(max(total, sum)), width: width)
        let nonZero = values.indices.filter { values[$0] > 0 }
        if filled <= nonZero.count {
            for i in nonZero.sorted(by: { values[$0] > values[$1] }).prefix(filled) { cells[i] = 1 }
            return cells
        }
        for i in nonZero { cells[i] = 1 }
        let shares = values.map { Double($0) / Double(sum) * Double(filled - nonZero.count) }
        for i in values.indices { cells[i] += Int(shares[i]) }
        var left = filled - cells.reduce(0, +)
        // What rounding left goes to the parts that lost most to it.
        let order = nonZero.sorted { shares[$0] - shares[$0].rounded(.down) > shares[$1] - shares[$1].rounded(.down) }
        for i in order where left > 0 {
            cells[i] += 1
            left -= 1
        }
        return cells
    }

    public func draw(in canvas: inout Canvas, _ rect: Rect, _ context: RenderContext) {
        guard rect.width > 0, rect.height > 0 else { return }
        var x = rect.x
        for (part, count) in zip(parts, cells(width: rect.width)) {
            for _ in 0..<count {
                canvas.put(part.glyph, x: x, y: rect.y, style: Style(fg: part.color, bg: context.theme.bg))
                x += 1
            }
        }
        let empty = context.colors ? context.glyphs.meterEmpty : context.glyphs.meterEmptyMono
        while x < rect.maxX {
            canvas.put(empty, x: x, y: rect.y, style: context.theme.meterBackground)
            x += 1
        }
    }
}
