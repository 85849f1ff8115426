/// A horizontal bar, htop's Meter and btop's meter in one: each filled cell takes the gradient's
/// color at its position, so a nearly full bar visibly reaches the hot end of the gradient.
public struct Meter {
    /// How filled cells take their color.
    public enum Coloring: Sendable {
        /// Each cell by its position along the bar (btop's meters): the bar's tip shows how hot it is.
        case byPosition
        /// The whole filled part by the fill level: a pool under pressure reads red end to end,
        /// so a glance across several meters finds the one in trouble.
        case byPressure
    }

    public var fraction: Double
    public var gradient: Gradient
    public var coloring: Coloring

    public init(fraction: Double, gradient: Gradient, coloring: Coloring = .byPosition) {
        self.fraction = fraction.isFinite ? min(max(fraction, 0), 1) : 0
        self.gradient = gradient
        self.coloring = coloring
    }

    /// Cells filled out of `width`: any non-zero value shows at least one cell, so "a little"
    /// never looks like "nothing".
    public static func filled(_ fraction: Double, width: Int) -> Int {
        guard width > 0, fraction > 0 else { return 0 }
        return min(width, max(1, Int((fraction * Double(width)).rounded())))
    }

    public func draw(in canvas: inout Canvas, _ rect: Rect, _ context: RenderContext) {
        guard rect.width > 0, rect.height > 0 else { return }
        let g = context.glyphs
        let fill = Self.filled(fraction, width: rect.width)
        let empty = context.colors ? g.meterEmpty : g.meterEmptyMono
        for i in 0..<rect.width {
            let x = rect.x + i
            if i < fill {
                let t = switch coloring {
                case .byPosition: rect.width == 1 ? 1 : Double(i) / Double(rect.width - 1)
                case .byPressure: fraction
                }
                canvas.put(g.meterFull, x: x, y: rect.y, style: Style(fg: gradient.at(t), bg: context.theme.bg))
            } else {
                canvas.put(empty, x: x, y: rect.y, style: context.theme.meterBackground)
            }
        }
    }
}
