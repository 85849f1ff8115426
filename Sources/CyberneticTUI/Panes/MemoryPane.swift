import CyberneticEngine

/// The size-class memory pool, one meter per class like memcached's `stats slabs`: blocks in
/// use against capacity, the high-water mark, and how often the class overflowed to the heap.
public struct MemoryPane: Pane {
    public init() {}
    public var id: PaneID { .memory }
    public var borderKey: String { "mem_box" }
    public var minimumHeight: Int { 4 }

    public func preferredHeight(_ snapshot: EngineSnapshot) -> Int { 2 + max(1, snapshot.memory.classes.count) }
    public func cursorRange(_ snapshot: EngineSnapshot) -> Int { snapshot.memory.classes.count }

    public func note(_ input: PaneInput) -> String? {
        input.snapshot.optimizations.flags[.memoryPool] ? nil : "memory_pool off"
    }

    public func drawContent(in canvas: inout Canvas, _ rect: Rect, _ input: PaneInput, _ context: RenderContext) {
        guard rect.height > 0 else { return }
        let classes = input.snapshot.memory.classes
        let theme = context.theme
        guard !classes.isEmpty else {
            canvas.text("no memory pool in this run", x: rect.x, y: rect.y, style: theme.inactive, maxWidth: rect.width)
            return
        }
        // name size [meter....] used/cap  hw N  ovf N
        let countWidth = classes.map { Canvas.displayWidth("\(Format.count($0.inUse))/\(Format.count($0.capacity))") }.max()!
        let hwWidth = classes.map { Format.count($0.highWater).count }.max()!
        let ovfWidth = classes.map { Format.count($0.overflow).count }.max()!
        let showDetail = rect.width >= 7 + 6 + 8 + countWidth + 4 + hwWidth + 5 + ovfWidth
        let cursor = input.focused ? input.cursor : nil
        let visible = rect.height - (rect.height > classes.count ? 1 : 0)
        let first = Table.scrollOffset(selected: cursor, offset: 0, visible: visible, count: classes.count)
        for (row, index) in (first..<min(classes.count, first + visible)).enumerated() {
            let c = classes[index]
            let y = rect.y + row
            let selected = cursor == index
            let base = selected ? theme.selected : theme.text
            if selected { canvas.fill(Rect(x: rect.x, y: y, width: rect.width, height: 1), style: base) }
            var x = rect.x
            canvas.text(c.name, x: x, y: y, style: base, maxWidth: 6)
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
            let count = "\(Format.count(c.inUse))/\(Format.count(c.capacity))"
            right -= countWidth
            canvas.text(count, x: right + countWidth - count.count, y: y, style: theme.highlight)
            right -= 1
            let fraction = c.capacity > 0 ? Double(c.inUse) / Double(c.capacity) : 0
            if right - x >= 3 {
                Meter(fraction: fraction, gradient: theme.gradient("used"))
                    .draw(in: &canvas, Rect(x: x, y: y, width: right - x, height: 1), context)
            }
        }
        if rect.height > classes.count {
            let total = classes.reduce(0) { $0 + $1.inUse * $1.blockSize }
            let overflow = classes.reduce(0) { $0 + $1.overflow }
            drawPairs([("in use", Format.bytes(total), nil), ("overflows", Format.count(overflow),
                                                               overflow > 0 ? theme.warning : nil)],
                      in: &canvas, rect.row(rect.height - 1), context)
        }
    }
}
