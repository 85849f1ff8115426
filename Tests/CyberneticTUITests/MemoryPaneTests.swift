@testable import CyberneticEngine
import CyberneticTUI
import Testing
import TestSupport

/// The Memory pane as the dashboard lays it out on an 80x24 and a 160x48 screen.
@Suite("Memory pane on screen", .watchdog)
struct MemoryPaneTests {
    @Test("80x24: a meter per class, colored by pressure, and the summary")
    func small() throws {
        let (canvas, rect, lines) = Fixture.paneOnScreen(.memory, width: 80, height: 24)
        try #require(rect.height >= 6, "the memory pane has \(rect.height) rows at 80x24")
        #expect(lines[0].contains("2 Memory"))
        #expect(lines[1].contains("small") && lines[1].contains("37/256"))
        #expect(lines[2].contains("medium") && lines[2].contains("100/128"))
        #expect(lines[3].contains("large") && lines[3].contains("0/64"))
        #expect(lines[4].contains("held") && lines[4].contains("frag"))
        // Pressure: every filled cell of a meter has the gradient's color at that class's fill,
        // so the nearly full medium class is a different color from the small one.
        let gradient = Fixture.context.theme.gradient("used")
        func filledColors(_ row: Int) -> Set<RGB?> {
            Set((rect.x..<rect.maxX).map { canvas[$0, rect.y + row] }.filter { $0.character == "■" }.map(\.style.fg))
        }
        #expect(filledColors(1) == [gradient.at(37.0 / 256)])
        #expect(filledColors(2) == [gradient.at(100.0 / 128)])
        #expect(gradient.at(37.0 / 256) != gradient.at(100.0 / 128))
        let medium = lines[2].filter { $0 == "■" }.count
        let small = lines[1].filter { $0 == "■" }.count
        #expect(medium > 3 * small, "100/128 against 37/256: \(lines[1]) / \(lines[2])")
    }

    @Test("160x48: high water, overflow, utilisation, fragmentation, slabs, defragmentation")
    func large() throws {
        let (_, _, lines) = Fixture.paneOnScreen(.memory, width: 160, height: 48)
        let text = lines.map(Fixture.squeezed).joined(separator: "\n")
        #expect(text.contains("hw 99 ovf 4"))
        #expect(text.contains("hw 120 ovf 0"))
        #expect(text.contains("defrag 2 (3 slabs)"))
        let small = try #require(lines.first { $0.contains("small") && $0.contains("%") })
        // 37 of 2 slabs × 32 blocks; 20,000 bytes asked of 37 KiB held.
        #expect(small.contains("57.8%") && small.contains("47.2%"), "\(small)")
        let medium = try #require(lines.first { $0.contains("medium") && $0.contains("%") })
        #expect(medium.contains("78.1%") && medium.contains("31.6%") && medium.contains(" 4 "), "\(medium)")
    }

    @Test("with the memory_pool flag off the pane says the heap is used")
    func heap() {
        var snapshot = Fixture.snapshot()
        snapshot.memory.pooled = false
        let text = Fixture.render(.memory, width: 70, height: 8, snapshot: snapshot).plainText
        #expect(text.contains("memory_pool off: heap"))
        #expect(text.split(separator: "\n").first?.contains("memory_pool off") == true)
        #expect(!Fixture.render(.memory, width: 70, height: 8).plainText.contains("memory_pool off"))
    }
}
