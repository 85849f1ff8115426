import CyberneticTUI
import Testing
import TestSupport

@Suite("Widgets", .watchdog)
struct WidgetTests {
    let context = Fixture.context

    @Test("meter: filled share, at least one cell for any non-zero value, gradient by position")
    func meter() {
        #expect(Meter.filled(0, width: 10) == 0)
        #expect(Meter.filled(0.001, width: 10) == 1)
        #expect(Meter.filled(0.5, width: 10) == 5)
        #expect(Meter.filled(1.7, width: 10) == 10)
        var canvas = Canvas(width: 10, height: 1)
        let gradient = Gradient(start: RGB(0, 0, 0), end: RGB(255, 0, 0))
        Meter(fraction: 1, gradient: gradient).draw(in: &canvas, canvas.bounds, context)
        #expect(canvas.line(0) == String(repeating: "■", count: 10))
        #expect(canvas[0, 0].style.fg == RGB(0, 0, 0))
        #expect(canvas[9, 0].style.fg == RGB(255, 0, 0))
        Meter(fraction: .nan, gradient: gradient).draw(in: &canvas, canvas.bounds, context)
        #expect(canvas.line(0) == String(repeating: "·", count: 10))
    }

    @Test("braille: two samples per cell, four levels per row, newest on the right")
    func braille() {
        #expect(BrailleGraph.cell(left: 4, right: 0) == "⡇")
        #expect(BrailleGraph.cell(left: 0, right: 4) == "⢸")
        #expect(BrailleGraph.cell(left: 4, right: 4) == "⣿")
        #expect(BrailleGraph.cell(left: 1, right: 2) == "⣠")
        var canvas = Canvas(width: 3, height: 2)
        BrailleGraph(values: [8, 4, 0, 2], maximum: 8, gradient: Gradient(start: RGB(1, 1, 1)))
            .draw(in: &canvas, canvas.bounds, context)
        // 4 samples fill the two right cells; 8 of 8 levels is full height, 4 is the bottom row.
        #expect(canvas.line(0) == " ⡇")
        #expect(canvas[1, 1].character == BrailleGraph.cell(left: 4, right: 4))
        #expect(canvas[2, 1].character == BrailleGraph.cell(left: 0, right: 2))
        #expect(canvas[0, 1].character == " ")
    }

    @Test("sparkline: eight levels, one sample per cell")
    func sparkline() {
        var canvas = Canvas(width: 4, height: 1)
        Sparkline(values: [0, 1, 2, 4], maximum: 4, gradient: Gradient(start: RGB(1, 1, 1))).draw(in: &canvas, canvas.bounds, context)
        #expect(canvas.line(0) == " ▂▄█")
    }

    @Test("table: numbers right-aligned, text cut with an ellipsis, columns dropped when too narrow")
    func table() {
        var canvas = Canvas(width: 30, height: 3)
        Table(columns: [.init("name"), .init("runs", width: 5, alignment: .right), .init("fail", width: 5, alignment: .right)],
              rows: [[.init("a-very-long-task-name-indeed"), .init("7"), .init("0")],
                     [.init("b"), .init("1234"), .init("12")]])
            .draw(in: &canvas, canvas.bounds, context)
        #expect(canvas.line(0) == "name                runs  fail")
        #expect(canvas.line(1).hasSuffix("    7     0"))
        #expect(canvas.line(1).contains("…"))
        #expect(canvas.line(2).hasSuffix(" 1234    12"))
        let widths = Table(columns: [.init("name"), .init("a", width: 10), .init("b", width: 10)], rows: []).widths(for: 20)
        #expect(widths.count == 2)
    }

    @Test("box: rounded corners, number and title in the border, note on the right")
    func box() {
        var canvas = Canvas(width: 30, height: 3)
        Box(title: "Queue", number: 5, note: "paused").draw(in: &canvas, canvas.bounds, context)
        #expect(canvas.line(0) == "╭─┤5 Queue├─────────┤paused├─╮")
        #expect(canvas.line(2) == "╰────────────────────────────╯")
    }

    @Test("history: fixed time buckets keep the peak, gaps repeat, capacity bounds memory")
    func history() {
        var h = History(capacity: 5, bucketMs: 100)
        h.record(1, atMs: 0)
        h.record(3, atMs: 50)
        h.record(2, atMs: 60)
        #expect(h.values == [3])
        h.record(4, atMs: 350)
        #expect(h.values == [3, 4, 4, 4])
        h.record(5, atMs: 400)
        h.record(6, atMs: 500)
        #expect(h.values == [4, 4, 4, 5, 6])
        h.record(9, atMs: 100)
        #expect(h.latest == 6)
    }
}
