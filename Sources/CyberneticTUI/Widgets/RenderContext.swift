/// What every widget needs besides the canvas: the theme, the glyph set, and whether colors
/// reach the screen (without them, meters and selections must be told apart by characters and
/// attributes instead).
public struct RenderContext: Sendable {
    public var theme: Theme
    public var glyphs: Glyphs
    public var colors: Bool

    public init(theme: Theme, glyphs: Glyphs = .unicode, colors: Bool = true) {
        self.theme = theme
        self.glyphs = glyphs
        self.colors = colors
    }
}
