@testable import CyberneticEngine
import CyberneticTUI
import Testing
import TestSupport

@Suite("Keys map to actions, actions to controls, without a terminal", .watchdog)
struct KeyTests {
    let keys = KeyMap.standard

    @Test("the design's key table")
    func table() {
        for n in 1...9 { #expect(keys.action(for: .character(Character("\(n)"))) == .toggleFlag(n)) }
        #expect(keys.action(for: .character("r")) == .rollback)
        #expect(keys.action(for: .character("a")) == .abTest)
        #expect(keys.action(for: .character("p")) == .togglePause)
        #expect(keys.action(for: .tab) == .focusNext)
        #expect(keys.action(for: .backTab) == .focusPrevious)
        #expect(keys.action(for: .up) == .moveUp)
        #expect(keys.action(for: .character("k")) == .moveUp)
        #expect(keys.action(for: .down) == .moveDown)
        #expect(keys.action(for: .character("j")) == .moveDown)
        #expect(keys.action(for: .character("t")) == .nextTheme)
        #expect(keys.action(for: .character("?")) == .toggleHelp)
        #expect(keys.action(for: .character("q")) == .quit)
        #expect(keys.action(for: .control("c")) == .quit)
        #expect(keys.action(for: .character("x")) == nil)
    }

    @Test("a [keys] table rebinds actions; bad names are clear errors; Ctrl-C always quits")
    func rebinding() throws {
        let map = try keys.rebinding(["rollback": "R", "quit": "x", "help": "F1"])
        #expect(map.action(for: .character("R")) == .rollback)
        #expect(map.action(for: .character("r")) == nil)
        #expect(map.action(for: .character("x")) == .quit)
        #expect(map.action(for: .character("q")) == nil)
        #expect(map.action(for: .control("c")) == .quit)
        #expect(map.action(for: .function(1)) == .toggleHelp)
        #expect(throws: KeyMap.Problem.unknownAction("rollbak")) { try keys.rebinding(["rollbak": "R"]) }
        #expect(throws: KeyMap.Problem.badKey(action: "pause", key: "Ctrl-Alt-Shift")) {
            try keys.rebinding(["pause": "Ctrl-Alt-Shift"])
        }
        #expect(Key(name: "S-Tab") == .backTab)
        #expect(Key(name: "C-l") == .control("l"))
        #expect(Key(name: "PgDn") == .pageDown)
    }

    @Test("1 toggles the first flag to its opposite; 3 turns a disabled flag back on")
    func toggles() {
        var view = ViewState()
        let snapshot = Fixture.snapshot()
        #expect(view.apply(.toggleFlag(1), snapshot: snapshot) == .perform(.setFlag("command_cache", false), done: "command_cache off"))
        #expect(view.apply(.toggleFlag(3), snapshot: snapshot) == .perform(.setFlag("npx_fast_path", true), done: "npx_fast_path on"))
        #expect(view.cursor(.optimizations) == 2)
        #expect(view.apply(.toggleFlag(9), snapshot: snapshot) == nil)
        #expect(view.apply(.toggleFlag(1), snapshot: nil) == nil)
    }

    @Test("p pauses, or resumes when paused; r rolls back to the known-good revision")
    func pauseAndRollback() {
        var view = ViewState()
        var snapshot = Fixture.snapshot()
        #expect(view.apply(.togglePause, snapshot: snapshot) == .perform(.pauseIntake, done: "task intake paused"))
        snapshot.intakePaused = true
        #expect(view.apply(.togglePause, snapshot: snapshot) == .perform(.resumeIntake, done: "task intake resumed"))
        #expect(view.apply(.rollback, snapshot: snapshot) == .perform(.rollback, done: "rolled back to revision 2"))
        snapshot.optimizations.revision = 2
        #expect(view.apply(.rollback, snapshot: snapshot) == .perform(.rollback, done: "already at known-good revision 2"))
    }

    @Test("a tests the flag selected with j/k in the Optimizations pane")
    func abTestOfSelection() {
        var view = ViewState()
        let snapshot = Fixture.snapshot()
        let limits = Dashboard().limits(snapshot: snapshot, width: 80, height: 24)
        #expect(view.focus == .optimizations)
        _ = view.apply(.moveDown, snapshot: snapshot, limits: limits)
        _ = view.apply(.moveDown, snapshot: snapshot, limits: limits)
        #expect(view.apply(.abTest, snapshot: snapshot) == .perform(.startABTest("npx_fast_path"), done: "A/B test of npx_fast_path started"))
        for _ in 0..<20 { _ = view.apply(.moveDown, snapshot: snapshot, limits: limits) }
        #expect(view.cursor(.optimizations) == FeatureFlag.allCases.count - 1)
        _ = view.apply(.top, snapshot: snapshot, limits: limits)
        #expect(view.cursor(.optimizations) == 0)
    }

    @Test("Tab and Shift-Tab visit every pane and come back")
    func focusCycle() {
        var view = ViewState()
        var seen: [PaneID] = []
        for _ in PaneID.allCases {
            _ = view.apply(.focusNext, snapshot: nil)
            seen.append(view.focus)
        }
        #expect(Set(seen) == Set(PaneID.allCases))
        #expect(view.focus == .optimizations)
        _ = view.apply(.focusPrevious, snapshot: nil)
        #expect(view.focus == .startup)
    }

    @Test("in the event log k scrolls back in time and G follows again")
    func eventScroll() {
        var view = ViewState()
        view.focus = .events
        let limits: [PaneID: Int] = [.events: 5]
        _ = view.apply(.moveUp, snapshot: nil, limits: limits)
        _ = view.apply(.moveUp, snapshot: nil, limits: limits)
        #expect(view.cursor(.events) == 2)
        _ = view.apply(.pageUp, snapshot: nil, limits: limits, pageSize: 10)
        #expect(view.cursor(.events) == 5)
        _ = view.apply(.bottom, snapshot: nil, limits: limits)
        #expect(view.cursor(.events) == 0)
    }

    @Test("? opens help; the next key closes it without acting, except q which quits")
    func help() {
        var view = ViewState()
        let snapshot = Fixture.snapshot()
        #expect(view.apply(.toggleHelp, snapshot: snapshot) == nil)
        #expect(view.helpVisible)
        #expect(view.apply(.toggleFlag(1), snapshot: snapshot) == nil)
        #expect(!view.helpVisible)
        _ = view.apply(.toggleHelp, snapshot: snapshot)
        #expect(view.apply(.quit, snapshot: snapshot) == .quit)
        #expect(view.apply(.nextTheme, snapshot: snapshot) == .nextTheme)
    }

    @Test("the footer shows rebound keys")
    func footerFollowsKeyMap() throws {
        let map = try KeyMap.standard.rebinding(["rollback": "R"])
        let canvas = Dashboard(keyMap: map).render(snapshot: Fixture.snapshot(), histories: Histories(), view: ViewState(),
                                                   context: Fixture.context, width: 100, height: 30)
        #expect(canvas.line(29).contains("R rollback"))
    }
}
