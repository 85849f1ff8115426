import CyberneticEngine

/// The size-class memory pool (issue 6), one meter per class like memcached's `stats slabs`:
/// blocks in use against capacity, colored by pressure so the class about to overflow stands
/// out; the high-water mark and heap overflows; then a summary (pooled or not, bytes held,
/// fragmentation, defragmentations) and, with room, jemalloc's per-class utilisation,
/// fragmentation and slab counts.
public struct MemoryPane: Pane {
    public init() {}
    public var id: PaneID { .memory }
    public var borderKey: String { "mem_box" }
    public var minimumHeight: Int { 4 }

    /// Meters, the summary and the per-class detail table.
    public func preferredHeight(_ snapshot: EngineSnapshot) -> Int {
        compactHeight(snapshot) + 1 + snapshot.memory.classes.count
    }

    /// Meters and the summary only: what a crowded layout gives this pane, so the detail table
    /// does not take rows the queue needs more.
    public func compactHeight(_ snapshot: EngineSnapshot) -> Int { 2 + max(1, snapshot.memory.classes.count) + 1 }

    public func cursorRange(_ snapshot: EngineSnapshot) -> Int { snapshot.memory.classes.count }

    public func note(_ input: PaneInput) -> String? {
        input.snapshot.memory.pooled ? nil : "memory_pool off"
    }

    public func drawContent(in canvas: inout Canvas, _ rect: Rect, _ input: PaneInput, _ context: RenderContext) {
        guard rect.height > 0 else { return }
        let memory = input.snapshot.memory
        let classes = memory.classes
        let theme = context.theme
        guard !classes.isEmpty else {
            canvas.text("no memory pool in this run", x: rect.x, y: rect.y, style: theme.inactive, maxWidth: rect.width)
            return
        }
        let cursor = input.focused ? input.cursor : nil
        let meterRows = min(classes.count, rect.height - (rect.height > classes.count ? 1 : 0))
        drawMeters(classes, cursor: cursor, in: &canvas, rect.rows(from: 0, count: meterRows), context)
        guard rect.height > classes.count else { return }
        drawSummary(memory, in: &canvas, rect.row(classes.count), context)
        let tableRect = rect.rows(from: classes.count + 1, count: rect.height - classes.count - 1)
        guard tableRect.height >= 2 else { return }
        Table(columns: [.init("class", width: 6), .init("util", width: 5, alignment: .right),
                        .init("frag", width: 5, alignment: .right), .init("slabs", width: 5, alignment: .right),
                        .init("hw", width: 5, alignment: .right), .init("ovf", width: 5, alignment: .right),
                        .init("held", width: 6, alignment: .right)],
              rows: classes.map { c in
                  [.init(SafeText.line(c.name)), .init(Format.percent(c.utilisation)), .init(Format.percent(c.fragmentation)),
                   .init("\(c.slabs)"), .init(Format.count(c.highWater)),
                   .init(Format.count(c.overflow), style: c.overflow > 0 ? theme.warning : nil), .init(Format.bytes(c.bytesHeld))]
              },
              selected: cursor)
            .draw(in: &canvas, tableRect, context)
    }

    /// "small 1.0K ■■■■····· 37/256  hw 99  ovf 4": the counts leave before the meter does.
    private func drawMeters(_ classes: [MemoryClassStats], cursor: Int?, in canvas: inout Canvas, _ rect: Rect,
                            _ context: RenderContext) {
        guard rect.height > 0 else { return }
        let theme = context.theme
        let gradient = theme.gradient("used")
        let countWidth = classes.map { Canvas.displayWidth("\(Format.count($0.inUse))/\(Format.count($0.capacity))") }.max()!
        let hwWidth = classes.map { Format.count($0.highWater).count }.max()!
        let ovfWidth = classes.map { Format.count($0.overflow).count }.max()!
        let showDetail = rect.width >= 7 + 6 + 8 + countWidth + 4 + hwWidth + 5 + ovfWidth
        let first = Table.scrollOffset(selected: cursor, offset: 0, visible: rect.height, count: classes.count)
        for (row, index) in (first..<min(classes.count, first + rect.height)).enumerated() {
            let c = classes[index]
            let y = rect.y + row
            let selected = cursor == index
            let base = selected ? theme.selected : theme.text
            if selected { canvas.fill(Rect(x: rect.x, y: y, width: rect.width, height: 1), style: base) }
            var x = rect.x
            canvas.text(SafeText.line(c.name), x: x, y: y, style: base, maxWidth: 6)
            x += 7
            canvas.text(Format.bytes(c.blockSize), x: x, y: y, style: theme.graphText, maxWidth: 5)
            x += 6
            var right = rect.maxX
            if showDetail {
                let ovf = Format.count(c.overflow)
                right -= ovfWidth
                canvas.text(ovf, x: right + ovfWidth - ovf.count, y: y, style: c.overflow > 0 ? theme.warning : base)
                right -= 4
                canvas.text("ovf", x: right, y: y, style: theme.graphText)
                right -= 1 + hwWidth
                let hw = Format.count(c.highWater)
                canvas.text(hw, x: right + hwWidth - hw.count, y: y, style: base)
                right -= 3
                canvas.text("hw", x: right, y: y, style: theme.graphText)
                right -= 1
            }
            let fraction = c.capacity > 0 ? Double(c.inUse) / Double(c.capacity) : 0
            let count = "\(Format.count(c.inUse))/\(Format.count(c.capacity))"
            right -= countWidth
            canvas.text(count, x: right + countWidth - count.count, y: y,
                        style: Style(fg: gradient.at(fraction), bg: base.bg, bold: true))
            right -= 1
            if right - x >= 3 {
                Meter(fraction: fraction, gradient: gradient, coloring: .byPressure)
                    .draw(in: &canvas, Rect(x: x, y: y, width: right - x, height: 1), context)
            }
        }
    }

    /// Whether the pools are in use, what they hold, how much of it is slack, and what
    /// defragmentation has given back.
    private func drawSummary(_ memory: MemorySnapshot, in canvas: inout Canvas, _ row: Rect, _ context: RenderContext) {
        let theme = context.theme
        let classes = memory.classes
        let held = classes.reduce(0) { $0 + $1.bytesHeld }
        let requested = classes.reduce(0) { $0 + $1.bytesRequested }
        let slots = classes.reduce(0) { $0 + $1.blocksPerSlab * $1.slabs }
        let inUse = classes.reduce(0) { $0 + $1.inUse }
        var pairs: [(label: String, value: String, style: Style?)] = []
        if !memory.pooled { pairs.append(("", "memory_pool off: heap", theme.warning)) }
        pairs += [
            ("held", Format.bytes(held), nil),
            ("frag", Format.percent(held == 0 ? 0 : 1 - Double(requested) / Double(held)), nil),
            ("util", Format.percent(slots == 0 ? 0 : Double(inUse) / Double(slots)), nil),
            ("defrag", "\(memory.defragmentations) (\(memory.slabsReleased) slabs)", nil),
        ]
        drawPairs(pairs, in: &canvas, row, context)
    }
}
