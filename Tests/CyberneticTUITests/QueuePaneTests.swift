@testable import CyberneticEngine
import CyberneticTUI
import Testing
import TestSupport

/// The Queue pane as the dashboard lays it out on an 80x24 and a 160x48 screen.
@Suite("Queue pane on screen", .watchdog)
struct QueuePaneTests {
    @Test("80x24: depth, in flight vs limit with the limiter, priority bar, rejected and timed out")
    func small() throws {
        let (_, rect, lines) = Fixture.paneOnScreen(.queue, width: 80, height: 24)
        try #require(rect.height >= 7, "the queue has \(rect.height) rows at 80x24")
        let text = lines.joined(separator: "\n")
        #expect(lines[0].contains("5 Queue"))
        #expect(text.contains("depth 5/100"))
        #expect(text.contains("run 4/8 aimd"))
        #expect(text.contains("rejected 3"))
        #expect(text.contains("timed out 1"))
        #expect(text.contains("wait p95 7.2ms") || text.contains("p95 7.2"))
        // 1 critical, 2 high, 2 normal, 0 low: each non-zero part is in the bar and the legend,
        // the unused low priority only in the legend.
        let bar = try #require(lines.first { $0.contains("█") })
        #expect(bar.contains("c1") || bar.contains("crit 1"))
        #expect(bar.contains("h2") || bar.contains("high 2"))
        #expect(bar.filter { $0 == "█" }.count >= 2)
        #expect(bar.filter { $0 == "▓" }.count >= 2)
        #expect(bar.filter { $0 == "▒" }.count >= 2)
        #expect(bar.filter { $0 == "░" }.count == 1)
    }

    @Test("160x48: throughput, in-flight meter half full, latency per priority in a table")
    func large() throws {
        let (_, rect, lines) = Fixture.paneOnScreen(.queue, width: 160, height: 48)
        try #require(rect.height >= 14, "the queue has \(rect.height) rows at 160x48")
        let text = lines.joined(separator: "\n")
        #expect(lines[0].contains("5 Queue"))
        #expect(text.contains("thr 12/s"))
        let run = try #require(lines.first { $0.contains("4/8 aimd") })
        #expect(run.contains("peak 7"))
        let filled = run.filter { $0 == "■" }.count
        let empty = run.filter { $0 == "·" }.count
        #expect(filled > 0 && abs(filled - empty) <= 1, "4 of 8 should fill half the meter: \(run)")
        #expect(text.contains("w p50"))
        #expect(text.contains("r p99"))
        func row(_ label: String) -> String? { lines.first { $0.dropFirst().hasPrefix(label + " ") } }
        let all = try #require(row("all"))
        #expect(all.contains("1.5") && all.contains("7.2") && all.contains("19") && all.contains("880"))
        let high = try #require(row("high"))
        #expect(high.contains("390") && high.contains("610"))
        #expect(row("crit")?.contains("97") == true)
        #expect(row("norm")?.contains("900") == true)
        // The low priority never saw work: no latency row of zeros for it.
        #expect(row("low") == nil)
    }

    @Test("the depth graph fills from history; paused shows in the pane")
    func graphAndPause() {
        let (histories, snapshot) = Fixture.histories()
        var paused = snapshot
        paused.queue.paused = true
        let (_, _, lines) = Fixture.paneOnScreen(.queue, width: 160, height: 48, snapshot: paused, histories: histories)
        let text = lines.joined(separator: "\n")
        #expect(text.contains("PAUSED"))
        #expect(text.contains("depth, max 9"))
        #expect(text.unicodeScalars.filter { (0x2801...0x28FF).contains($0.value) }.count > 10)
    }
}

@Suite("Stacked bar", .watchdog)
struct StackedBarTests {
    @Test("parts share the filled length; any non-zero part gets a cell", arguments: [10, 17, 40])
    func shares(width: Int) {
        let bar = StackedBar(parts: [.init(value: 1, color: nil, glyph: "a"), .init(value: 50, color: nil, glyph: "b"),
                                     .init(value: 0, color: nil, glyph: "c"), .init(value: 49, color: nil, glyph: "d")],
                             total: 200)
        let cells = bar.cells(width: width)
        #expect(cells.reduce(0, +) == Meter.filled(0.5, width: width))
        #expect(cells[0] >= 1 && cells[2] == 0)
        #expect(abs(cells[1] - cells[3]) <= 1)
    }

    @Test("an empty bar draws no parts")
    func empty() {
        #expect(StackedBar(parts: [.init(value: 0, color: nil, glyph: "a")], total: 10).cells(width: 10) == [0])
    }
}
