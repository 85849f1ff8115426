@testable import CyberneticEngine
import CyberneticTUI
import Testing
import TestSupport

@Suite("Panes render from a hand-built snapshot", .watchdog)
struct PaneTests {
    @Test("every pane shows its contract title and its number in the border")
    func titles() {
        for id in PaneID.allCases {
            let text = Fixture.render(id).plainText
            let top = text.split(separator: "\n").first.map(String.init) ?? ""
            #expect(top.contains("\(id.rawValue) \(id.title)"), "\(id.title): \(top)")
        }
    }

    @Test("Startup: phases, durations, critical path and the failed phase's error")
    func startup() {
        let text = Fixture.render(.startup, width: 70).plainText
        #expect(text.contains("ready in 1.23s"))
        #expect(text.contains("critical: core → database"))
        #expect(text.contains("database"))
        #expect(text.contains("612ms"))
        #expect(text.contains("✗ cache-warm"))
        #expect(text.contains("cache-warm: exit 3: warm-up failed"))
    }

    @Test("Memory: blocks in use of capacity, high water, overflow")
    func memory() {
        let canvas = Fixture.render(.memory, width: 70)
        let row = Fixture.squeezed(canvas.line(1))
        #expect(row.contains("small"))
        #expect(row.contains("37/256"))
        #expect(row.contains("hw 99"))
        #expect(row.contains("ovf 4"))
        // 37 of 256 is about 14%: the meter is mostly empty.
        let filled = row.filter { $0 == "■" }.count
        let empty = row.filter { $0 == "·" }.count
        #expect(filled > 0 && filled < empty, "\(row)")
    }

    @Test("Process Pool: use, busy, warm, crashes and the runtime table")
    func processPool() {
        let text = Fixture.render(.processPool, width: 70, height: 12).plainText
        #expect(text.contains("use 40.0%"))
        #expect(text.contains("busy 2"))
        #expect(text.contains("warm 3"))
        #expect(text.contains("crashes 1"))
        #expect(text.contains("node"))
        #expect(text.contains("17"))
    }

    @Test("Process Pool: a runtime whose circuit is open says its commands are spawned directly, in the row and the title")
    func processPoolCircuit() {
        var snapshot = Fixture.snapshot()
        var sh = RuntimeStats(runtime: "sh")
        sh.crashes = 6
        sh.circuit = .open
        snapshot.processPool.runtimes.append(sh)
        let text = Fixture.render(.processPool, width: 80, height: 12, snapshot: snapshot).plainText
        #expect(text.contains("sh circuit open: direct spawn"), "\(text)")
        #expect(text.contains("circuit open: sh"), "title note: \(text)")
        let closed = Fixture.render(.processPool, width: 80, height: 12).plainText
        #expect(!closed.contains("circuit"))
        snapshot.processPool.runtimes[1].circuit = .halfOpen
        #expect(Fixture.render(.processPool, width: 80, height: 12, snapshot: snapshot).plainText.contains("sh circuit half-open: probing"))
    }

    @Test("Cache: hit rate, hits, misses and tiers")
    func cache() {
        let text = Fixture.render(.cache, width: 70, height: 12).plainText
        #expect(text.contains("hit rate 67.3%"))
        #expect(text.contains("hits 673/1000"))
        #expect(text.contains("stored 300"))
        #expect(text.contains("memory"))
        #expect(text.contains("5.0M"))
    }

    @Test("Queue: depth of capacity, concurrency, percentiles, tasks; paused shows")
    func queue() {
        var snapshot = Fixture.snapshot()
        var text = Fixture.render(.queue, width: 80, height: 20, snapshot: snapshot).plainText
        #expect(text.contains("depth 5/100"))
        #expect(text.contains("4/8 aimd"))
        #expect(text.contains("max 23"))
        #expect(text.contains("w p95"))
        #expect(text.contains("880"))
        #expect(text.contains("lint"))
        #expect(text.contains("eslint src"))
        #expect(!text.contains("PAUSED"))
        snapshot.intakePaused = true
        text = Fixture.render(.queue, width: 80, height: 20, snapshot: snapshot).plainText
        #expect(text.contains("PAUSED"))
        #expect(text.contains("intake paused"))
    }

    @Test("Optimizations: numbered flags with their state, revisions, A/B results")
    func optimizations() {
        let text = Fixture.render(.optimizations, width: 60, height: 20).plainText
        #expect(text.contains("1 ✓ command_cache"))
        #expect(text.contains("3 ✗ npx_fast_path"))
        let npx = text.split(separator: "\n").first { $0.contains("npx_fast_path") } ?? ""
        #expect(npx.contains("off"))
        #expect(text.contains("rev 3, good 2"))
        #expect(text.contains("revision 3"))
        #expect(text.contains("command_cache better p=0.0001 n=40/41"))
        #expect(text.contains("#3 user: npx_fast_path off"))
    }

    @Test("Events: newest at the bottom, level, stderr detail; scrolling back shows older lines")
    func events() {
        let events = (1...30).map { Fixture.event(UInt64($0), "event number \($0)") }
        let snapshot = Fixture.snapshot(events: events)
        let following = Fixture.render(.events, width: 60, height: 7, snapshot: snapshot)
        #expect(following.line(5).contains("event number 30"))
        #expect(!following.plainText.contains("event number 20"))
        #expect(following.plainText.contains("30 events"))
        let back = Fixture.render(.events, width: 60, height: 7, snapshot: snapshot, focused: true, cursor: 10)
        #expect(back.line(5).contains("event number 20"))
        #expect(back.plainText.contains("scrolled back 10"))
        let detail = Fixture.render(.events, width: 60, height: 7).plainText
        #expect(detail.contains("error task build failed (exit 2)"))
        #expect(detail.contains("ld: symbol not found"))
    }

    @Test("Events: debug events (task completions) show, dimmed; info and errors are not dimmed")
    func debugEvents() throws {
        let canvas = Fixture.render(.events, width: 70, height: 8)
        let row = try #require((0..<canvas.height).first { canvas.line($0).contains("task lint finished in 85 ms") })
        let line = canvas.line(row)
        #expect(line.contains("debug"))
        let x = try #require(line.range(of: "task lint").map { line.distance(from: line.startIndex, to: $0.lowerBound) })
        #expect(canvas[x, row].style.dim)
        let error = try #require((0..<canvas.height).first { canvas.line($0).contains("task build failed") })
        #expect(!canvas[x, error].style.dim)
        #expect(canvas.plainText.contains("2 events + 1 debug"))
    }

    @Test("Events: a run of debug events folds into its newest, so errors stay on a small pane")
    func foldedDebugEvents() {
        let events = [Fixture.event(1, "start-up ready")]
            + (2...4).map { Fixture.event(UInt64($0), "task t\($0) finished", level: .debug) }
            + [Fixture.event(5, "task build failed (exit 2)", level: .error)]
            + (6...7).map { Fixture.event(UInt64($0), "task t\($0) finished", level: .debug) }
        let text = Fixture.render(.events, width: 70, height: 7, snapshot: Fixture.snapshot(events: events)).plainText
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[1].contains("start-up ready"))
        #expect(lines[2].contains("debug task t4 finished  +2 more"))
        #expect(lines[3].contains("error task build failed"))
        #expect(lines[4].contains("debug task t7 finished  +1 more"))
        #expect(!text.contains("t2 finished") && !text.contains("t6 finished"))
        #expect(lines[0].contains("2 events + 5 debug"))
    }

    @Test("a pane with nothing to show says so instead of drawing zeros as data")
    func emptyState() {
        var snapshot = Fixture.snapshot()
        snapshot.processPool.runtimes = []
        snapshot.cache.tiers = []
        snapshot.startup.phases = []
        #expect(Fixture.render(.processPool, snapshot: snapshot).plainText.contains("no runtime started yet"))
        #expect(Fixture.render(.cache, snapshot: snapshot).plainText.contains("no cache lookups yet"))
        #expect(Fixture.render(.startup, snapshot: snapshot).plainText.contains("no start-up phases"))
    }

    @Test("graphs draw the TUI's own history in braille")
    func graphs() {
        let (histories, snapshot) = Fixture.histories()
        #expect(histories.queueDepth.values.count == 40)
        let text = Fixture.render(.queue, width: 60, height: 14, snapshot: snapshot, histories: histories).plainText
        let braille = text.unicodeScalars.filter { (0x2801...0x28FF).contains($0.value) }
        #expect(braille.count > 20)
        let cache = Fixture.render(.cache, width: 60, height: 12, snapshot: snapshot, histories: histories).plainText
        #expect(cache.unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) })
    }
}

@Suite("Panes in little room", .watchdog)
struct CompactPaneTests {
    @Test("a cache pane too short for its tier table still names every tier with its hits")
    func compactCache() {
        let text = Fixture.render(.cache, width: 40, height: 5).plainText
        #expect(text.contains("hit rate 67.3%"))
        #expect(text.contains("memory 600/1000"))
        #expect(text.contains("disk 74/400"))
    }
}
