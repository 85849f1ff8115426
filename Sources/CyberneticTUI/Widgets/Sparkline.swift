/// A one-row graph, one sample per cell with eight levels (▁ to █): for panes too short for a
/// braille graph. Newest sample on the right.
public struct Sparkline {
    public var values: [Double]
    /// The value drawn as a full cell; values are clamped to it.
    public var maximum: Double
    public var gradient: Gradient

    public init(values: [Double], maximum: Double, gradient: Gradient) {
        self.values = values
        self.maximum = maximum
        self.gradient = gradient
    }

    public func draw(in canvas: inout Canvas, _ rect: Rect, _ context: RenderContext) {
        guard rect.width > 0, rect.height > 0 else { return }
        let levels = context.glyphs.sparkline
        let shown = values.suffix(rect.width)
        let offset = rect.width - shown.count
        for (i, value) in shown.enumerated() {
            let t = maximum > 0 && value.isFinite ? min(max(value / maximum, 0), 1) : 0
            let level = t == 0 ? 0 : max(1, Int((t * Double(levels.count - 1)).rounded()))
            canvas.put(levels[level], x: rect.x + offset + i, y: rect.y,
                       style: Style(fg: gradient.at(t), bg: context.theme.bg))
        }
    }
}
