@testable import CyberneticEngine
import CyberneticTUI
import Testing
import TestSupport

/// The `[keys]` table: the engine checks action names, the TUI binds them.
@Suite("[keys] remapping", .watchdog)
struct KeyBindingTests {
    @Test("the engine's [keys] action names are exactly the TUI's action names")
    func namesAgree() {
        #expect(KeyBindingNames.actions == Action.named.map(\.name))
    }

    @Test("a rebound key does the action, the footer shows it, the old key is free")
    func reboundKeyWorks() throws {
        var configuration = Configuration()
        configuration.keys = ["pause": "x", "flag_1": "F2"]
        let map = try KeyMap.standard.rebinding(configuration.keys)
        var view = ViewState()
        let snapshot = Fixture.snapshot()
        let pause = try #require(map.action(for: .character("x")))
        #expect(view.apply(pause, snapshot: snapshot) == .perform(.pauseIntake, done: "task intake paused"))
        #expect(map.action(for: .character("p")) == nil)
        let flag = try #require(map.action(for: .function(2)))
        #expect(view.apply(flag, snapshot: snapshot) == .perform(.setFlag("command_cache", false), done: "command_cache off"))
        let footer = Fixture.dashboard(width: 100, height: 30, keyMap: map).line(29)
        #expect(footer.contains("x pause"), "\(footer)")
        #expect(!footer.contains("p pause"))
    }

    @Test("a workload file's [keys] table loads and rebinds")
    func fromWorkloadFile() throws {
        let configuration = try ConfigurationLoader.parse("""
            [keys]
            quit = "x"
            theme = "T"

            [[task]]
            name = "t"
            run = "true"
            """, source: "keys.toml")
        let map = try KeyMap.standard.rebinding(configuration.keys)
        #expect(map.action(for: .character("x")) == .quit)
        #expect(map.action(for: .character("T")) == .nextTheme)
        #expect(map.action(for: .character("t")) == nil)
    }
}
