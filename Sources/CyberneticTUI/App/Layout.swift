import CyberneticEngine

/// Where everything goes for a given terminal size: a header row, the seven panes, a footer row.
/// Pure arithmetic, so the 80x24 promise is a unit test.
public struct Layout: Sendable, Equatable {
    public static let minimumWidth = 80
    public static let minimumHeight = 24

    public var header: Rect
    public var footer: Rect
    public var panes: [PaneID: Rect]

    /// nil when the terminal is smaller than 80x24: the app then shows a "too small" screen
    /// instead of a dashboard too cramped to read.
    public static func compute(width: Int, height: Int, snapshot: EngineSnapshot?) -> Layout? {
        guard width >= minimumWidth, height >= minimumHeight else { return nil }
        let body = Rect(x: 0, y: 1, width: width, height: height - 2)
        func spec(_ id: PaneID, grow: Int = 0, compact: Bool = false) -> Column.Entry {
            let p = pane(id)
            let preferred = snapshot.map { compact ? p.compactHeight($0) : p.preferredHeight($0) } ?? p.minimumHeight
            return Column.Entry(id: id, minimum: p.minimumHeight, preferred: max(p.minimumHeight, preferred), grow: grow)
        }
        var panes: [PaneID: Rect] = [:]
        if width >= 140 && height >= 34 {
            // Wide: three columns over a full-width event log.
            let eventsHeight = max(8, body.height * 3 / 10)
            let top = Rect(x: 0, y: body.y, width: width, height: body.height - eventsHeight)
            panes[.events] = Rect(x: 0, y: top.maxY, width: width, height: eventsHeight)
            let widths = [width * 30 / 100, width * 36 / 100]
            let columns = [
                Rect(x: 0, y: top.y, width: widths[0], height: top.height),
                Rect(x: widths[0], y: top.y, width: widths[1], height: top.height),
                Rect(x: widths[0] + widths[1], y: top.y, width: width - widths[0] - widths[1], height: top.height),
            ]
            let stacks: [[Column.Entry]] = [
                [spec(.startup), spec(.optimizations, grow: 1)],
                [spec(.queue, grow: 1), spec(.memory)],
                [spec(.cache, grow: 1), spec(.processPool, grow: 1)],
            ]
            for (column, stack) in zip(columns, stacks) {
                guard let rects = Column.split(column, stack) else { return nil }
                panes.merge(rects) { $1 }
            }
        } else {
            // Two columns: start-up, flags and events on the left, the live metrics on the right,
            // where four panes share the height: memory keeps its meters, the queue gets the rest.
            let leftWidth = width / 2
            let left = Rect(x: 0, y: body.y, width: leftWidth, height: body.height)
            let right = Rect(x: leftWidth, y: body.y, width: width - leftWidth, height: body.height)
            guard let l = Column.split(left, [spec(.startup), spec(.optimizations, grow: 1), spec(.events, grow: 2)]),
                  let r = Column.split(right, [spec(.memory, compact: true), spec(.queue, grow: 2), spec(.cache, grow: 1), spec(.processPool, grow: 1)])
            else { return nil }
            panes.merge(l) { $1 }
            panes.merge(r) { $1 }
        }
        return Layout(header: Rect(x: 0, y: 0, width: width, height: 1),
                      footer: Rect(x: 0, y: height - 1, width: width, height: 1), panes: panes)
    }

    /// Splits a column among panes: each gets its minimum, then up to its preferred height in
    /// order, then what is left goes to the panes that grow, by weight.
    enum Column {
        struct Entry {
            var id: PaneID
            var minimum: Int
            var preferred: Int
            var grow: Int
        }

        static func split(_ rect: Rect, _ entries: [Entry]) -> [PaneID: Rect]? {
            var heights = entries.map(\.minimum)
            var spare = rect.height - heights.reduce(0, +)
            guard spare >= 0 else { return nil }
            for i in entries.indices where entries[i].grow == 0 && spare > 0 {
                let add = min(spare, max(0, entries[i].preferred - heights[i]))
                heights[i] += add
                spare -= add
            }
            let total = entries.reduce(0) { $0 + $1.grow }
            if total == 0 {
                heights[heights.count - 1] += spare
            } else {
                var given = 0
                for i in entries.indices {
                    let share = spare * entries[i].grow / total
                    heights[i] += share
                    given += share
                }
                // Rows left by rounding go to the heaviest growers first.
                let order = entries.indices.filter { entries[$0].grow > 0 }.sorted { entries[$0].grow > entries[$1].grow }
                for k in 0..<(spare - given) { heights[order[k % order.count]] += 1 }
            }
            var out: [PaneID: Rect] = [:]
            var y = rect.y
            for (entry, height) in zip(entries, heights) {
                out[entry.id] = Rect(x: rect.x, y: y, width: rect.width, height: height)
                y += height
            }
            return out
        }
    }
}
