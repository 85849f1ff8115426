import CyberneticEngine

/// The result cache (issue 5): hit rate since start and over the last few seconds, as numbers
/// and as a graph (the recent rate is what moves when `command_cache` is flipped), what was
/// stored or refused for being capped, and per tier (memory, disk, remote) its own hit rate and
/// trend, entries, bytes, evictions, expirations and discarded (corrupt) entries. The remote
/// tier gets a line of its own under the table (bytes up and down, errors, circuit state), and a
/// circuit that is not closed is also named in the title, so it shows however small the pane is.
public struct CachePane: Pane {
    public init() {}
    public var id: PaneID { .cache }
    public var borderKey: String { "mem_box" }
    public var minimumHeight: Int { 4 }

    public func preferredHeight(_ snapshot: EngineSnapshot) -> Int {
        2 + 2 + 4 + 1 + max(1, snapshot.cache.tiers.count) + snapshot.cache.tiers.filter { $0.circuit != nil }.count
    }
    public func cursorRange(_ snapshot: EngineSnapshot) -> Int { snapshot.cache.tiers.count }

    public func note(_ input: PaneInput) -> String? {
        let off = input.snapshot.optimizations.flags[.commandCache] ? nil : "command_cache off"
        let circuits = input.snapshot.cache.tiers.compactMap { tier in
            tier.circuit.flatMap { $0 == .closed ? nil : "\(SafeText.line(tier.name)) circuit \($0.rawValue)" }
        }
        let notes = [off].compactMap { $0 } + circuits
        return notes.isEmpty ? nil : notes.joined(separator: ", ")
    }

    public func drawContent(in canvas: inout Canvas, _ rect: Rect, _ input: PaneInput, _ context: RenderContext) {
        guard rect.height > 0 else { return }
        let cache = input.snapshot.cache
        let theme = context.theme
        let recent = input.histories.recentCacheHitRate
        let rates: [(label: String, value: String, style: Style?)] = [
            ("hit rate", Format.percent(cache.hitRate), nil), ("now", recent.map(Format.percent) ?? "-", nil),
            ("hits", "\(Format.count(cache.hits))/\(Format.count(cache.hits + cache.misses))", nil),
        ]
        let outcomes: [(label: String, value: String, style: Style?)] = [
            ("stored", Format.count(cache.stored), nil),
            ("capped", Format.count(cache.capped), cache.capped > 0 ? theme.warning : nil),
        ]
        // Output files restored by hits, and entries or runs whose outputs were refused: shown
        // once there are any. Refusals first, so a narrow row keeps the warning.
        let refused = cache.restoresRefused + cache.outputsNotCached
        let outputs: [(label: String, value: String, style: Style?)] = cache.restoredFiles + refused == 0 ? [] : [
            ("outputs refused", Format.count(refused), refused > 0 ? theme.warning : nil),
            ("restored", "\(Format.count(cache.restoredFiles)) files \(Format.bytes(cache.restoredBytes))", nil),
        ]
        // A tall pane gives what was stored or refused its own rows; a short one keeps it if it fits.
        let summaryRows = rect.height >= 8 && !outputs.isEmpty ? 3 : rect.height >= 6 ? 2 : 1
        switch summaryRows {
        case 3:
            drawPairs(rates, in: &canvas, rect.row(0), context)
            drawPairs(outcomes, in: &canvas, rect.row(1), context)
            drawPairs(outputs, in: &canvas, rect.row(2), context)
        case 2:
            drawPairs(rates, in: &canvas, rect.row(0), context)
            drawPairs(outputs + outcomes, in: &canvas, rect.row(1), context)
        default:
            drawPairs(rates + outputs + outcomes, in: &canvas, rect.row(0), context)
        }
        let tableRows = cache.tiers.isEmpty ? 1 : 1 + cache.tiers.count
        let spare = rect.height - summaryRows - tableRows
        let graphHeight = spare >= 1 ? min(spare, 8) : (rect.height >= 2 ? 1 : 0)
        let graphRect = rect.rows(from: summaryRows, count: graphHeight)
        drawGraph(input.histories.cacheHitRate, maximum: 100, gradient: theme.gradient("free"), scale: "hit rate, 100%",
                  in: &canvas, graphRect, context)
        let tableRect = rect.rows(from: summaryRows + graphRect.height, count: rect.height - summaryRows - graphRect.height)
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
        // Remote tiers' transfer line goes under the table when the table still keeps a row per tier.
        let remotes = cache.tiers.filter { $0.circuit != nil }
        let lineCount = tableRect.height >= 1 + cache.tiers.count + remotes.count ? remotes.count : 0
        tierTable(cache.tiers, input, in: &canvas, tableRect.rows(from: 0, count: tableRect.height - lineCount), context)
        for (index, tier) in remotes.prefix(lineCount).enumerated() {
            remoteLine(tier, in: &canvas, tableRect.row(tableRect.height - lineCount + index), context)
        }
    }

    /// What the remote tier moved and how healthy it is: "remote up 3.0M down 2.0M errors 4 circuit open".
    private func remoteLine(_ tier: CacheTierStats, in canvas: inout Canvas, _ row: Rect, _ context: RenderContext) {
        let theme = context.theme
        let circuit = tier.circuit ?? .closed
        drawPairs([
            (SafeText.line(tier.name), tier.mode == "read" ? "read-only" : "", nil),
            ("up", Format.bytes(tier.bytesUp), nil), ("down", Format.bytes(tier.bytesDown), nil),
            ("errors", Format.count(tier.errors), tier.errors > 0 ? theme.warning : nil),
            ("circuit", circuit.rawValue, circuit == .closed ? nil : theme.warning),
            ("skipped", Format.count(tier.skipped), nil),
        ], in: &canvas, row, context)
    }

    /// One row per tier. Columns leave from the right as the pane narrows, so the order is the
    /// order of importance; a trend sparkline of the tier's recent hit rate takes whatever width
    /// is left over. Raw hit and miss counts are in the one-line form and behind the hit rate.
    private func tierTable(_ tiers: [CacheTierStats], _ input: PaneInput, in canvas: inout Canvas, _ rect: Rect,
                           _ context: RenderContext) {
        let theme = context.theme
        let table = Table(
            columns: [.init("tier", width: 6), .init("hit%", width: 5, alignment: .right),
                      .init("entries", width: 7, alignment: .right), .init("bytes", width: 5, alignment: .right),
                      .init("evict", width: 5, alignment: .right), .init("exp", width: 4, alignment: .right),
                      .init("bad", width: 3, alignment: .right), .init("trend")],
            rows: tiers.map { t in
                [.init(SafeText.line(t.name)), .init(Self.percentCell(t.hitRate, t.hits + t.misses)),
                 .init(Format.count(t.entries)), .init(Format.bytes(t.bytes)), .init(Format.count(t.evictions)),
                 .init(Format.count(t.expirations)),
                 .init(Format.count(t.discarded), style: t.discarded > 0 ? theme.warning : nil), .init("")]
            },
            selected: input.focused ? input.cursor : nil)
        table.draw(in: &canvas, rect, context)
        let widths = table.widths(for: rect.width)
        // The trend column is the last; it is there only when every fixed column fitted.
        guard widths.count == table.columns.count, let trendWidth = widths.last, trendWidth >= 4 else { return }
        let x = rect.x + widths.dropLast().reduce(0) { $0 + $1 + 1 }
        let first = Table.scrollOffset(selected: table.selected, offset: 0, visible: rect.height - 1, count: tiers.count)
        for (row, index) in (first..<min(tiers.count, first + rect.height - 1)).enumerated() {
            guard let history = input.histories.cacheTierHitRate[tiers[index].name] else { continue }
            Sparkline(values: history.values, maximum: 100, gradient: theme.gradient("free"))
                .draw(in: &canvas, Rect(x: x, y: rect.y + 1 + row, width: trendWidth, height: 1), context)
        }
    }

    /// A tier nobody has asked yet has no hit rate, which is not the same as 0%.
    static func percentCell(_ rate: Double, _ lookups: Int) -> String {
        lookups == 0 ? "-" : Format.percent(rate)
    }
}
