/// A scrollable log that follows the newest line like `tail -f` until the user scrolls up;
/// scrolling back to the bottom follows again.
public struct LogView {
    public struct Line: Sendable {
        public var segments: [(text: String, style: Style)]
        public init(_ segments: [(text: String, style: Style)]) { self.segments = segments }
    }

    public var lines: [Line]
    /// Lines scrolled up from the bottom; 0 follows the newest.
    public var scrollBack: Int

    public init(lines: [Line], scrollBack: Int) {
        self.lines = lines
        self.scrollBack = scrollBack
    }

    /// The largest useful scroll-back for `visible` rows.
    public static func maxScrollBack(count: Int, visible: Int) -> Int { max(0, count - visible) }

    public func draw(in canvas: inout Canvas, _ rect: Rect, _ context: RenderContext) {
        guard rect.width > 0, rect.height > 0 else { return }
        let back = min(max(scrollBack, 0), Self.maxScrollBack(count: lines.count, visible: rect.height))
        let end = lines.count - back
        let start = max(0, end - rect.height)
        for (row, line) in lines[start..<end].enumerated() {
            var x = rect.x
            for segment in line.segments {
                let room = rect.maxX - x
                if room <= 0 { break }
                x += canvas.text(segment.text, x: x, y: rect.y + row, style: segment.style, maxWidth: room,
                                 ellipsis: context.glyphs.ellipsis)
            }
        }
    }
}
