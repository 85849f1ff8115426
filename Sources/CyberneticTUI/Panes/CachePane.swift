import CyberneticEngine

/// The result cache: hit rate now and over time, and each tier (memory, disk, remote).
public struct CachePane: Pane {
    public init() {}
    public var id: PaneID { .cache }
    public var borderKey: String { "mem_box" }
    public var minimumHeight: Int { 4 }

    public func preferredHeight(_ snapshot: EngineSnapshot) -> Int { 2 + 1 + 3 + 1 + max(1, snapshot.cache.tiers.count) }
    public func cursorRange(_ snapshot: EngineSnapshot) -> Int { snapshot.cache.tiers.count }

    public func note(_ input: PaneInput) -> String? {
        input.snapshot.optimizations.flags[.commandCache] ? nil : "command_cache off"
    }

    public func drawContent(in canvas: inout Canvas, _ rect: Rect, _ input: PaneInput, _ context: RenderContext) {
        guard rect.height > 0 else { return }
        let cache = input.snapshot.cache
        let theme = context.theme
        drawPairs([("hit rate", Format.percent(cache.hitRate), nil), ("hits", Format.count(cache.hits), nil),
                   ("misses", Format.count(cache.misses), nil)], in: &canvas, rect.row(0), context)
        let tableRows = cache.tiers.isEmpty ? 1 : 1 + cache.tiers.count
        let spare = rect.height - 1 - tableRows
        let graphHeight = spare >= 1 ? min(spare, 8) : (rect.height >= 2 ? 1 : 0)
        let graphRect = rect.rows(from: 1, count: graphHeight)
        drawGraph(input.histories.cacheHitRate, maximum: 100, gradient: theme.gradient("free"), scale: "100%",
                  in: &canvas, graphRect, context)
        let tableRect = rect.rows(from: 1 + graphRect.height, count: rect.height - 1 - graphRect.height)
        guard tableRect.height > 0 else { return }
        if cache.tiers.isEmpty {
            canvas.text("no cache lookups yet", x: tableRect.x, y: tableRect.y, style: theme.inactive, maxWidth: tableRect.width)
            return
        }
        if tableRect.height == 1 {
            // No room for a header and rows: one line per tier would not fit either, so summarize.
            let summary = cache.tiers.map { "\(SafeText.line($0.name)) \(Format.count($0.hits))/\(Format.count($0.hits + $0.misses))" }
            canvas.text("hits " + summary.joined(separator: "  "), x: tableRect.x, y: tableRect.y, style: theme.graphText,
                        maxWidth: tableRect.width, ellipsis: context.glyphs.ellipsis)
            return
        }
        Table(columns: [.init("tier"), .init("hits", width: 6, alignment: .right), .init("misses", width: 6, alignment: .right),
                        .init("entries", width: 7, alignment: .right), .init("bytes", width: 6, alignment: .right)],
              rows: cache.tiers.map { t in
                  [.init(SafeText.line(t.name)), .init(Format.count(t.hits)), .init(Format.count(t.misses)),
                   .init(Format.count(t.entries)), .init(Format.bytes(t.bytes))]
              },
              selected: input.focused ? input.cursor : nil)
            .draw(in: &canvas, tableRect, context)
    }
}
