import CyberneticEngine

/// The bounded priority queue (issue 4): what waits, by priority, now and over time; how much
/// runs against the limit and which limiter sets it; throughput; wait and run latency overall
/// and per priority; what was turned away or ran out of time. A short pane drops the less
/// important sections (per-priority latency, the task list) rather than squeezing them.
public struct QueuePane: Pane {
    public init() {}
    public var id: PaneID { .queue }
    public var borderKey: String { "net_box" }
    public var minimumHeight: Int { 5 }

    /// Summary, in-flight meter, priority bar, counts, the latency table, a graph, the tasks.
    public func preferredHeight(_ snapshot: EngineSnapshot) -> Int {
        2 + 4 + (2 + Self.activePriorities(snapshot.queue).count) + 6 + 1 + snapshot.tasks.count
    }

    public func cursorRange(_ snapshot: EngineSnapshot) -> Int { snapshot.tasks.count }

    public func note(_ input: PaneInput) -> String? {
        Self.paused(input.snapshot) ? "intake paused" : nil
    }

    static func paused(_ s: EngineSnapshot) -> Bool { s.intakePaused || s.queue.paused }

    /// Priorities that have seen work, most urgent first: rows of zeros for a priority the
    /// workload never uses would push real numbers off a small pane.
    static func activePriorities(_ q: QueueSnapshot) -> [PriorityQueueStats] {
        q.byPriority.filter { $0.depth > 0 || $0.maxDepth > 0 || $0.finished > 0 }.sorted { $0.priority > $1.priority }
    }

    public func drawContent(in canvas: inout Canvas, _ rect: Rect, _ input: PaneInput, _ context: RenderContext) {
        guard rect.height > 0 else { return }
        let s = input.snapshot
        let q = s.queue
        let theme = context.theme
        let h = rect.height
        // Tall: a meter row for in-flight vs limit and a latency table; short: one-line forms.
        let tall = h >= 9
        var y = 0

        var pairs: [(label: String, value: String, style: Style?)] = [
            ("depth", "\(Format.count(q.depth))/\(Format.count(q.capacity))", nil),
        ]
        if !tall { pairs.append(("run", "\(q.inFlight)/\(q.limit) \(SafeText.line(q.limiter))", nil)) }
        pairs += [("thr", Format.rate(q.throughputPerSecond) + "/s", nil), ("max", Format.count(q.maxDepth), nil)]
        if Self.paused(s) { pairs.insert(("", "PAUSED", theme.warning), at: 0) }
        drawPairs(pairs, in: &canvas, rect.row(y), context)
        y += 1

        if tall {
            inFlightMeter(q, in: &canvas, rect.row(y), context)
            y += 1
        }
        let window = rect.width * 2
        if h >= 2 {
            priorityBar(q, scale: max(q.depth, Int(input.histories.queueDepth.peak(last: window))), in: &canvas,
                        rect.row(y), context)
            y += 1
        }
        if h >= 5 {
            let t = s.totals
            var counts: [(label: String, value: String, style: Style?)] = [
                ("rejected", Format.count(t.rejected), t.rejected > 0 ? theme.warning : nil),
                ("timed out", Format.count(t.timedOut), t.timedOut > 0 ? theme.error : nil),
            ]
            if !tall { counts.append(("peak run", "\(q.maxInFlight)", nil)) }
            drawPairs(counts, in: &canvas, rect.row(y), context)
            y += 1
        }
        if tall {
            let priorities = Self.activePriorities(q)
            let rows = max(2, min(2 + priorities.count, h - y - 3))
            latencyTable(q, priorities: priorities, in: &canvas, rect.rows(from: y, count: rows), context)
            y += rows
        } else if h >= 4 {
            if h >= 7 {
                latency("wait", q.waitMs, in: &canvas, rect.row(y), context)
                latency("run ", q.runMs, in: &canvas, rect.row(y + 1), context)
                y += 2
            } else {
                drawPairs([("wait p95", Format.ms(q.waitMs.p95) + "ms", nil), ("run p95", Format.ms(q.runMs.p95) + "ms", nil)],
                          in: &canvas, rect.row(y), context)
                y += 1
            }
        }

        let remaining = h - y
        guard remaining > 0 else { return }
        let tasks = s.tasks
        var graphHeight = remaining
        if remaining >= 7, !tasks.isEmpty {
            graphHeight = max(3, remaining - (tasks.count + 1))
        }
        let peak = max(1, input.histories.queueDepth.peak(last: window))
        drawGraph(input.histories.queueDepth, maximum: peak, gradient: theme.gradient("download"),
                  scale: "depth, max \(Format.count(Int(peak)))", in: &canvas, rect.rows(from: y, count: graphHeight), context)
        let tableRect = rect.rows(from: y + graphHeight, count: remaining - graphHeight)
        guard tableRect.height > 0 else { return }
        Table(columns: [.init("task", width: 14), .init("runs", width: 5, alignment: .right),
                        .init("fail", width: 4, alignment: .right), .init("exit", width: 4, alignment: .right),
                        .init("last", width: 7, alignment: .right), .init("command")],
              rows: tasks.map { t in
                  let failStyle = t.failures + t.timeouts > 0 ? theme.error : nil
                  let exit = t.running > 0 ? context.glyphs.running.description : t.lastExitCode.map { "\($0)" } ?? "-"
                  return [.init(SafeText.line(t.name)), .init(Format.count(t.runs)),
                          .init("\(t.failures + t.timeouts)", style: failStyle),
                          .init(exit, style: t.lastExitCode.map { $0 != 0 } ?? false ? theme.error : nil),
                          .init(t.lastDurationMs.map { Format.duration(ms: $0) } ?? "-"),
                          .init(SafeText.line(t.command), style: theme.graphText)]
              },
              selected: input.focused ? input.cursor : nil)
            .draw(in: &canvas, tableRect, context)
    }

    /// "run ■■■■····  4/8 aimd  peak 8": in flight against the limit in force, which limiter
    /// sets it, and the most ever in flight at once.
    private func inFlightMeter(_ q: QueueSnapshot, in canvas: inout Canvas, _ row: Rect, _ context: RenderContext) {
        let theme = context.theme
        let count = "\(q.inFlight)/\(q.limit)"
        let detail = " \(SafeText.line(q.limiter))  peak \(q.maxInFlight)"
        let label = "run "
        var right = row.maxX
        let detailWidth = Canvas.displayWidth(detail)
        let showDetail = row.width - Canvas.displayWidth(label) - Canvas.displayWidth(count) - detailWidth >= 8
        if showDetail {
            right -= detailWidth
            canvas.text(detail, x: right, y: row.y, style: theme.graphText)
        }
        right -= Canvas.displayWidth(count)
        canvas.text(count, x: right, y: row.y, style: theme.highlight)
        canvas.text(label, x: row.x, y: row.y, style: theme.graphText)
        let meterX = row.x + Canvas.displayWidth(label)
        let fraction = q.limit > 0 ? Double(q.inFlight) / Double(q.limit) : 0
        Meter(fraction: fraction, gradient: theme.gradient("cpu"))
            .draw(in: &canvas, Rect(x: meterX, y: row.y, width: right - 1 - meterX, height: 1), context)
    }

    /// Queue depth split by priority, most urgent first (it runs first), against `scale` (the
    /// peak the depth graph shows, so bar and graph agree), with a legend of counts.
    private func priorityBar(_ q: QueueSnapshot, scale: Int, in canvas: inout Canvas, _ row: Rect,
                             _ context: RenderContext) {
        let theme = context.theme
        let g = context.glyphs
        guard !q.byPriority.isEmpty else {
            canvas.text("no per-priority depth reported", x: row.x, y: row.y, style: theme.inactive, maxWidth: row.width)
            return
        }
        let gradient = theme.gradient("download")
        let ordered = TaskPriority.allCases.reversed().map { p in q.byPriority.first { $0.priority == p } ?? PriorityQueueStats(priority: p) }
        let parts = ordered.enumerated().map { i, stats in
            StackedBar.Part(value: stats.depth, color: gradient.at(1 - Double(i) / 3), glyph: g.shades[min(i, g.shades.count - 1)])
        }
        let names = ["crit", "high", "norm", "low"]
        let long = zip(names, ordered).map { "\($0) \(Format.count($1.depth))" }
        let short = zip(names, ordered).map { "\($0.prefix(1))\(Format.count($1.depth))" }
        let longWidth = Canvas.displayWidth(long.joined(separator: " ")) + long.count * 2
        let legend = row.width - longWidth >= 10 ? long : short
        var legendWidth = legend.reduce(0) { $0 + Canvas.displayWidth($1) + 2 } + legend.count - 1
        if row.width - legendWidth < 4 { legendWidth = 0 }
        let barWidth = row.width - legendWidth - (legendWidth > 0 ? 1 : 0)
        StackedBar(parts: parts, total: max(1, scale)).draw(in: &canvas, Rect(x: row.x, y: row.y, width: barWidth, height: 1), context)
        guard legendWidth > 0 else { return }
        var x = row.x + barWidth + 1
        for (part, text) in zip(parts, legend) {
            canvas.put(part.glyph, x: x, y: row.y, style: Style(fg: part.color, bg: theme.bg))
            x += 2
            x += canvas.text(text, x: x, y: row.y, style: part.value > 0 ? theme.text : theme.inactive) + 1
        }
    }

    /// Wait and run percentiles in ms, overall and per priority, as far as rows allow. Narrow
    /// panes keep p95 and p99 of both (the tail is what queueing hurts) and drop the medians.
    private func latencyTable(_ q: QueueSnapshot, priorities: [PriorityQueueStats], in canvas: inout Canvas,
                              _ rect: Rect, _ context: RenderContext) {
        let full = rect.width >= 4 + 6 * 6
        func cells(_ label: String, _ wait: Percentiles, _ run: Percentiles) -> [Table.Cell] {
            let values = full ? [wait.p50, wait.p95, wait.p99, run.p50, run.p95, run.p99] : [wait.p95, wait.p99, run.p95, run.p99]
            return [Table.Cell(label, style: context.theme.graphText)] + values.map { Table.Cell(Format.ms($0)) }
        }
        let titles = full ? ["w p50", "w p95", "w p99", "r p50", "r p95", "r p99"] : ["w p95", "w p99", "r p95", "r p99"]
        let short: [TaskPriority: String] = [.critical: "crit", .high: "high", .normal: "norm", .low: "low"]
        Table(columns: [.init("ms", width: 4)] + titles.map { .init($0, width: 5, alignment: .right) },
              rows: [cells("all", q.waitMs, q.runMs)] + priorities.map { cells(short[$0.priority] ?? "?", $0.waitMs, $0.runMs) })
            .draw(in: &canvas, rect, context)
    }

    private func latency(_ label: String, _ p: Percentiles, in canvas: inout Canvas, _ row: Rect, _ context: RenderContext) {
        drawPairs([(label, "", context.theme.graphText), ("p50", Format.ms(p.p50), nil), ("p95", Format.ms(p.p95), nil),
                   ("p99", Format.ms(p.p99), nil), ("", "ms", context.theme.graphText)], in: &canvas, row, context)
    }
}
