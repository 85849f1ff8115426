@testable import CyberneticEngine
import CyberneticTUI
import Testing
import TestSupport

@Suite("The whole dashboard", .watchdog)
struct DashboardTests {
    static let titles = PaneID.allCases.map(\.title)

    @Test("80x24 and 160x48 show every pane title, the header and the footer, within the screen",
          arguments: [(80, 24), (100, 30), (160, 48), (240, 70)])
    func fits(width: Int, height: Int) throws {
        let canvas = Fixture.dashboard(width: width, height: height)
        let text = canvas.plainText
        for title in Self.titles { #expect(text.contains(title), "\(title) missing at \(width)x\(height)") }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == height)
        #expect(lines.allSatisfy { Canvas.displayWidth(String($0)) <= width })
        #expect(lines[0].contains("running"))
        #expect(lines[0].contains("up 0:00:42"))
        #expect(lines[0].contains("rev 3"))
        #expect(lines[0].contains("51 done"))
        // Failed and timed out together: 2 + 1.
        #expect(lines[0].contains("3 failed"))
        #expect(lines[height - 1].contains("1-6 flags"))
        #expect(lines[height - 1].contains("q quit"))
        let layout = try #require(Layout.compute(width: width, height: height, snapshot: Fixture.snapshot()))
        // Panes never overlap and stay on screen.
        let rects = PaneID.allCases.compactMap { layout.panes[$0] }
        #expect(rects.count == 7)
        for (i, a) in rects.enumerated() {
            #expect(a.x >= 0 && a.maxX <= width && a.y >= 1 && a.maxY <= height - 1)
            for b in rects[(i + 1)...] {
                let overlap = a.x < b.maxX && b.x < a.maxX && a.y < b.maxY && b.y < a.maxY
                #expect(!overlap, "\(a) overlaps \(b)")
            }
        }
    }

    @Test("every flag the number keys reach is visible at 80x24")
    func flagsVisibleAtMinimum() {
        let text = Fixture.dashboard(width: 80, height: 24).plainText
        for flag in FeatureFlag.allCases { #expect(text.contains(flag.rawValue), "\(flag.rawValue)") }
    }

    @Test("below 80x24 a clear 'terminal too small' screen", arguments: [(79, 24), (80, 23), (40, 10)])
    func tooSmall(width: Int, height: Int) {
        let text = Fixture.dashboard(width: width, height: height).plainText
        #expect(text.contains("Terminal too small: \(width)x\(height)"))
        #expect(text.contains("80x24"))
        #expect(!text.contains("Optimizations"))
    }

    @Test("help overlay lists the keys; toast shows a transient message")
    func overlays() {
        var view = ViewState()
        view.helpVisible = true
        view.toast = Toast("rolled back to revision 2", expiresAtMs: 10_000)
        let text = Fixture.dashboard(width: 100, height: 30, view: view).plainText
        #expect(text.contains("Help"))
        #expect(text.contains("toggle the n-th flag of the Optimizations pane"))
        #expect(text.contains("roll back to the last known-good configuration"))
        #expect(text.contains("rolled back to revision 2"))
    }

    @Test("ASCII fallback: not one cell outside 7-bit ASCII when the locale is not UTF-8")
    func ascii() {
        let context = RenderContext(theme: ThemeCatalog.default, glyphs: .ascii, colors: false)
        var histories = Histories()
        var snapshot = Fixture.snapshot()
        for i in 0..<20 {
            snapshot.sequence = UInt64(10 + i)
            snapshot.uptimeMs = Int64(i) * 250
            snapshot.queue.depth = i
            histories.record(snapshot)
        }
        snapshot.startup.criticalPath = ["core", "database"]
        let canvas = Dashboard().render(snapshot: snapshot, histories: histories, view: ViewState(), context: context,
                                        width: 120, height: 40)
        let text = canvas.plainText
        let offending = text.unicodeScalars.filter { !$0.isASCII }
        #expect(offending.isEmpty, "non-ASCII: \(String(String.UnicodeScalarView(offending)))")
        #expect(text.contains("+-[1 Startup]"))
        #expect(Glyphs.ascii.isASCII)
        #expect(!Glyphs.unicode.isASCII)
    }

    @Test("focus shows on the focused pane's border")
    func focus() {
        var view = ViewState()
        view.focus = .cache
        let canvas = Fixture.dashboard(width: 100, height: 30, view: view)
        let layout = Layout.compute(width: 100, height: 30, snapshot: Fixture.snapshot())!
        let cache = layout.panes[.cache]!
        let queue = layout.panes[.queue]!
        #expect(canvas[cache.x, cache.y].style.bold)
        #expect(!canvas[queue.x, queue.y].style.bold)
    }
}
