/// How one cell looks. Colors are nil for "the terminal's own"; attributes carry meaning on
/// monochrome terminals, where they are all that is left.
public struct Style: Sendable, Hashable {
    public var fg: RGB?
    public var bg: RGB?
    public var bold = false
    public var dim = false
    public var underline = false
    /// Reverse video, applied only when the terminal shows no colors: in color the selection is
    /// drawn with the theme's selected_bg, and reversing it as well would undo that.
    public var monoReverse = false

    public init(fg: RGB? = nil, bg: RGB? = nil, bold: Bool = false, dim: Bool = false,
                underline: Bool = false, monoReverse: Bool = false) {
        self.fg = fg
        self.bg = bg
        self.bold = bold
        self.dim = dim
        self.underline = underline
        self.monoReverse = monoReverse
    }

    public static let plain = Style()

    public func with(fg: RGB?) -> Style {
        var copy = self
        copy.fg = fg
        return copy
    }

    public func with(bg: RGB?) -> Style {
        var copy = self
        copy.bg = bg
        return copy
    }

    public var bolded: Style {
        var copy = self
        copy.bold = true
        return copy
    }
}
