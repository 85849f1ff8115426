@testable import CyberneticEngine
import CyberneticTUI
import Testing
import TestSupport

/// The Cache pane as the dashboard lays it out on an 80x24 and a 160x48 screen.
@Suite("Cache pane on screen", .watchdog)
struct CachePaneTests {
    @Test("80x24: overall hit rate and each tier with its own hit rate")
    func small() throws {
        let (_, rect, lines) = Fixture.paneOnScreen(.cache, width: 80, height: 24)
        try #require(rect.height >= 4)
        let text = lines.joined(separator: "\n")
        #expect(lines[0].contains("4 Cache"))
        #expect(text.contains("hit rate 67.3%"))
        #expect(text.contains("memory") && text.contains("disk"))
    }

    @Test("160x48: per tier hit rate, entries, bytes, evictions, expirations, discarded; stored and capped")
    func large() throws {
        let (_, _, lines) = Fixture.paneOnScreen(.cache, width: 160, height: 48)
        let text = lines.joined(separator: "\n")
        #expect(text.contains("stored 300"))
        #expect(text.contains("capped 2"))
        let header = try #require(lines.first { $0.contains("hit%") })
        #expect(header.contains("entries") && header.contains("evict") && header.contains("exp") && header.contains("bad"))
        let memory = Fixture.squeezed(try #require(lines.first { $0.contains("│memory") }))
        #expect(memory.contains("memory 60.0% 42 5.0M 11 6 0"), "\(memory)")
        let disk = Fixture.squeezed(try #require(lines.first { $0.contains("│disk") }))
        #expect(disk.contains("disk 18.5% 250 30M 0 0 2"), "\(disk)")
    }

    @Test("the remote tier: bytes up and down, errors, circuit state in its row and, when not closed, in the title")
    func remote() throws {
        var snapshot = Fixture.snapshot()
        var remote = CacheTierStats(name: "remote")
        remote.hits = 9
        remote.misses = 1
        remote.bytesUp = 3 * 1024 * 1024
        remote.bytesDown = 2 * 1024 * 1024
        remote.errors = 4
        remote.circuit = .open
        remote.mode = "readwrite"
        snapshot.cache.tiers.append(remote)
        let (_, _, lines) = Fixture.paneOnScreen(.cache, width: 160, height: 48, snapshot: snapshot)
        let row = Fixture.squeezed(try #require(lines.first { $0.contains("│remote") }))
        #expect(row.contains("remote 90.0%"), "\(row)")
        let line = Fixture.squeezed(try #require(lines.first { $0.contains("up 3.0M") }))
        #expect(line.contains("remote up 3.0M down 2.0M errors 4 circuit open"), "\(line)")
        #expect(lines.contains { $0.contains("4 Cache") && $0.contains("remote circuit open") })
        let small = Fixture.paneOnScreen(.cache, width: 80, height: 24, snapshot: snapshot).lines
        #expect(small.contains { $0.contains("remote circuit open") }, "visible at 80x24 too")
        snapshot.cache.tiers[2].circuit = .closed
        let closed = Fixture.paneOnScreen(.cache, width: 160, height: 48, snapshot: snapshot).lines
        #expect(!closed.contains { $0.contains("circuit open") })
    }

    @Test("restored output files and refused restores show once there are any")
    func outputs() throws {
        var snapshot = Fixture.snapshot()
        let before = Fixture.paneOnScreen(.cache, width: 160, height: 48, snapshot: snapshot).lines.joined(separator: "\n")
        #expect(!before.contains("restored"), "no outputs, no row noise")
        snapshot.cache.restoredFiles = 18
        snapshot.cache.restoredBytes = 3 * 1024 * 1024
        snapshot.cache.restoresRefused = 1
        let text = Fixture.squeezed(Fixture.paneOnScreen(.cache, width: 160, height: 48, snapshot: snapshot).lines.joined(separator: "\n"))
        #expect(text.contains("restored 18 files 3.0M"), "\(text)")
        #expect(text.contains("outputs refused 1"), "\(text)")
        #expect(text.contains("stored 300 capped 2"), "the row above is untouched: \(text)")
    }

    @Test("the recent hit rate is a number and a graph, overall and per tier")
    func recent() throws {
        // Three of every four lookups hit: recently 75%, while since start it is 67.3%.
        let (histories, snapshot) = Fixture.histories(hitsPerStep: 3, lookupsPerStep: 4)
        #expect(histories.recentCacheHitRate == 0.75)
        #expect(histories.cacheTierHitRate["disk"]?.latest == 75)
        let (_, _, lines) = Fixture.paneOnScreen(.cache, width: 160, height: 48, snapshot: snapshot, histories: histories)
        let text = lines.joined(separator: "\n")
        #expect(text.contains("now 75.0%"))
        #expect(text.unicodeScalars.filter { (0x2801...0x28FF).contains($0.value) }.count > 10)
        let disk = try #require(lines.first { $0.contains("│disk") })
        #expect(disk.contains("▆") || disk.contains("▇"), "a 75% trend sparkline: \(disk)")
    }

    @Test("no lookups in the window: no recent rate, rather than a made-up 0%")
    func idle() {
        let (histories, snapshot) = Fixture.histories(hitsPerStep: 0, lookupsPerStep: 0)
        #expect(histories.recentCacheHitRate == nil)
        let text = Fixture.render(.cache, width: 70, snapshot: snapshot, histories: histories).plainText
        #expect(text.contains("now -"))
    }

    @Test("a ratio window counts only the lookups inside it, and starts over when counts go back")
    func window() {
        var window = RatioWindow(spanMs: 1000)
        #expect(window.record(hits: 0, total: 0, atMs: 0) == nil)
        #expect(window.record(hits: 10, total: 10, atMs: 500) == 1)
        #expect(window.record(hits: 10, total: 20, atMs: 1000) == 0.5)
        // The 10 hits at 500 ms are older than the window now.
        #expect(window.record(hits: 10, total: 30, atMs: 2000) == 0)
        #expect(window.record(hits: 1, total: 2, atMs: 2100) == nil)
    }
}
