/// A transient message ("rolled back to revision 4", or why a key did nothing), shown over the
/// bottom of the dashboard for a few seconds. Errors are drawn in the theme's error color.
public struct Toast: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case info, error }

    public var text: String
    public var kind: Kind
    /// Engine uptime or wall-clock milliseconds after which the toast is gone.
    public var expiresAtMs: Int64

    public init(_ text: String, kind: Kind = .info, expiresAtMs: Int64) {
        self.text = text
        self.kind = kind
        self.expiresAtMs = expiresAtMs
    }

    public func draw(in canvas: inout Canvas, _ area: Rect, _ context: RenderContext) {
        guard area.width > 4, area.height > 0 else { return }
        let text = " " + self.text + " "
        let width = min(area.width - 2, Canvas.displayWidth(text))
        let x = area.x + (area.width - width) / 2
        var style = kind == .error ? context.theme.error : context.theme.selected
        style.bg = context.theme.color("selected_bg")
        style.monoReverse = true
        style.bold = true
        canvas.fill(Rect(x: x, y: area.y, width: width, height: 1), style: style)
        canvas.text(text, x: x, y: area.y, style: style, maxWidth: width, ellipsis: context.glyphs.ellipsis)
    }
}
