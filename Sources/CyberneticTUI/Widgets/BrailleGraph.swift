/// An area graph in braille, btop style: each cell holds two samples side by side and four
/// levels of height each, so a 40x3 area shows 80 samples at 12 levels. Rows take the gradient's
/// color by height. Without UTF-8 it falls back to one ASCII character per cell.
public struct BrailleGraph {
    public var values: [Double]
    public var maximum: Double
    public var gradient: Gradient

    public init(values: [Double], maximum: Double, gradient: Gradient) {
        self.values = values
        self.maximum = maximum
        self.gradient = gradient
    }

    // Dot bits from the bottom up, for the left and the right column of a braille cell.
    private static let leftDots: [UInt32] = [0x40, 0x04, 0x02, 0x01]
    private static let rightDots: [UInt32] = [0x80, 0x20, 0x10, 0x08]

    /// The braille character for a cell whose left and right columns are filled `left` and
    /// `right` dots high (0...4).
    public static func cell(left: Int, right: Int) -> Character {
        var bits: UInt32 = 0
        for i in 0..<min(max(left, 0), 4) { bits |= leftDots[i] }
        for i in 0..<min(max(right, 0), 4) { bits |= rightDots[i] }
        return Character(Unicode.Scalar(0x2800 + bits)!)
    }

    public func draw(in canvas: inout Canvas, _ rect: Rect, _ context: RenderContext) {
        guard rect.width > 0, rect.height > 0 else { return }
        let levels = rect.height * 4
        func dots(_ value: Double) -> Int {
            guard maximum > 0, value.isFinite, value > 0 else { return 0 }
            return max(1, Int((min(value / maximum, 1) * Double(levels)).rounded()))
        }
        let samples = Array(values.suffix(rect.width * 2)).map(dots)
        // Right-align: the newest sample is in the right column of the last cell.
        let padded = Array(repeating: 0, count: rect.width * 2 - samples.count) + samples
        for row in 0..<rect.height {
            let y = rect.maxY - 1 - row
            let style = Style(fg: gradient.at(rect.height == 1 ? 0.5 : Double(row) / Double(rect.height - 1)),
                              bg: context.theme.bg)
            for column in 0..<rect.width {
                let left = min(max(padded[column * 2] - row * 4, 0), 4)
                let right = min(max(padded[column * 2 + 1] - row * 4, 0), 4)
                let character: Character
                if context.glyphs.braille {
                    character = left + right == 0 ? " " : Self.cell(left: left, right: right)
                } else {
                    character = context.glyphs.asciiGraph[max(left, right)]
                }
                canvas.put(character, x: rect.x + column, y: y, style: style)
            }
        }
    }
}
