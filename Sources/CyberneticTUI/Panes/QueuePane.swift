import CyberneticEngine

/// The bounded priority queue: depth now and over time, concurrency in use against the limit,
/// wait and run latency percentiles, and (when there is room) every task with its last result.
public struct QueuePane: Pane {
    public init() {}
    public var id: PaneID { .queue }
    public var borderKey: String { "net_box" }
    public var minimumHeight: Int { 5 }

    public func preferredHeight(_ snapshot: EngineSnapshot) -> Int { 2 + 3 + 6 + 1 + snapshot.tasks.count }
    public func cursorRange(_ snapshot: EngineSnapshot) -> Int { snapshot.tasks.count }

    public func note(_ input: PaneInput) -> String? {
        input.snapshot.intakePaused ? "intake paused" : nil
    }

    public func drawContent(in canvas: inout Canvas, _ rect: Rect, _ input: PaneInput, _ context: RenderContext) {
        guard rect.height > 0 else { return }
        let s = input.snapshot
        let q = s.queue
        let theme = context.theme
        var pairs: [(label: String, value: String, style: Style?)] = [
            ("depth", "\(Format.count(q.depth))/\(Format.count(q.capacity))", nil),
            ("running", "\(q.inFlight)/\(q.limit)", nil),
            ("max", Format.count(q.maxDepth), nil),
        ]
        if s.intakePaused { pairs.insert(("", "PAUSED", theme.warning), at: 0) }
        drawPairs(pairs, in: &canvas, rect.row(0), context)
        var used = 1
        if rect.height >= 8 {
            latency("wait", q.waitMs, in: &canvas, rect.row(1), context)
            latency("run ", q.runMs, in: &canvas, rect.row(2), context)
            used = 3
        } else if rect.height >= 3 {
            drawPairs([("wait p95", Format.ms(q.waitMs.p95) + "ms", nil), ("run p95", Format.ms(q.runMs.p95) + "ms", nil)],
                      in: &canvas, rect.row(1), context)
            used = 2
        }
        let remaining = rect.height - used
        let tasks = s.tasks
        var graphHeight = remaining
        if remaining >= 7, !tasks.isEmpty {
            graphHeight = min(6, max(3, remaining - (tasks.count + 1)))
        }
        let window = graphWidth(rect.width)
        let peak = max(1, input.histories.queueDepth.peak(last: window))
        drawGraph(input.histories.queueDepth, maximum: peak, gradient: theme.gradient("download"),
                  scale: "max \(Format.count(Int(peak)))", in: &canvas, rect.rows(from: used, count: graphHeight), context)
        let tableRect = rect.rows(from: used + graphHeight, count: remaining - graphHeight)
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

    /// Samples a graph of this width shows (two per cell).
    private func graphWidth(_ width: Int) -> Int { width * 2 }

    private func latency(_ label: String, _ p: Percentiles, in canvas: inout Canvas, _ row: Rect, _ context: RenderContext) {
        drawPairs([(label, "", context.theme.graphText), ("p50", Format.ms(p.p50), nil), ("p95", Format.ms(p.p95), nil),
                   ("p99", Format.ms(p.p99), nil), ("", "ms", context.theme.graphText)], in: &canvas, row, context)
    }
}
