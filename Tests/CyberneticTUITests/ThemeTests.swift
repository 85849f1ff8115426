import CyberneticTUI
import Foundation
import Testing
import TestSupport

@Suite("Themes in btop's file format", .watchdog)
struct ThemeTests {
    static let themesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("themes")

    @Test("our four themes load from themes/ without a single skipped line and match the built-in copies")
    func shipped() throws {
        let catalog = ThemeCatalog(directories: [Self.themesDirectory.path])
        for name in ["default", "light", "high-contrast", "monochrome"] {
            let path = Self.themesDirectory.appendingPathComponent(name + ".theme").path
            let loaded = try catalog.load(path)
            #expect(loaded.problems.isEmpty, "\(name): \(loaded.problems)")
            #expect(loaded.theme == ThemeCatalog.builtIn(name), "themes/\(name).theme differs from the built-in copy")
            for key in ["main_fg", "title", "hi_fg", "selected_bg", "selected_fg", "inactive_fg", "cpu_box", "mem_box",
                        "net_box", "proc_box", "div_line", "used_start", "used_end", "ok_fg", "error_fg"] {
                #expect(loaded.theme.color(key) != nil, "\(name) lacks \(key)")
            }
        }
        #expect(catalog.names().prefix(4) == ["default", "light", "high-contrast", "monochrome"])
    }

    @Test("a btop theme file with gradients, #BW greys, decimal RGB, empty values and comments")
    func btopFile() {
        let text = """
        #Bashtop theme with nord palette
        # Main background, empty for terminal default
        theme[main_bg]=""
        theme[main_fg]="#D8DEE9"
        theme[title]="#8FBCBB"
        theme[inactive_fg]="#4C"
        theme[hi_fg] = "94 129 172"
        theme[cpu_start]="#000000"
        theme[cpu_mid]="#808080"
        theme[cpu_end]="#FFFFFF"
        theme[free_start]="#102030"
        theme[free_mid]=""
        theme[free_end]=""
        theme[download_start]="#000000"
        theme[download_end]="#FF0000"
        theme[some_future_key]="#123456"
        """
        let (theme, problems) = ThemeCatalog.theme(named: "nord", text: text)
        #expect(problems.isEmpty)
        #expect(theme.bg == nil)
        #expect(theme.fg == RGB(0xD8, 0xDE, 0xE9))
        #expect(theme.color("inactive_fg") == RGB(0x4C, 0x4C, 0x4C))
        #expect(theme.color("hi_fg") == RGB(94, 129, 172))
        #expect(theme.gradient("cpu").at(0) == RGB(0, 0, 0))
        #expect(theme.gradient("cpu").at(0.5) == RGB(128, 128, 128))
        #expect(theme.gradient("cpu").at(1) == RGB(255, 255, 255))
        #expect(theme.gradient("cpu").at(0.25) == RGB(64, 64, 64))
        #expect(theme.gradient("free").at(0.9) == RGB(0x10, 0x20, 0x30), "start only: one color")
        #expect(theme.gradient("download").at(0.5) == RGB(128, 0, 0), "start and end: two-point blend")
        // Missing keys come from the default theme.
        #expect(theme.color("selected_bg") == ThemeCatalog.default.color("selected_bg"))
        #expect(theme.color("ok_fg") != nil)
    }

    @Test("malformed lines are reported with their line number and skipped; the rest still loads")
    func malformed() {
        let text = """
        theme[main_fg]="#FFFFFF"
        theme[title]="#GGGGGG"
        theme[hi_fg]="#12345"
        theme[div_line]="300 0 0"
        theme[selected_bg]="#102030
        theme main_bg = "#000000"
        theme[]="#000000"
        garbage
        theme[proc_box]="#ABCDEF"\r
        theme[cpu_box]='#010203'
        """
        let parsed = ThemeParser.parse(text)
        #expect(parsed.values["main_fg"] == .color(RGB(255, 255, 255)))
        #expect(parsed.values["proc_box"] == .color(RGB(0xAB, 0xCD, 0xEF)))
        #expect(parsed.values["cpu_box"] == .color(RGB(1, 2, 3)))
        #expect(parsed.values["title"] == nil)
        #expect(parsed.problems.count == 7, "\(parsed.problems)")
        #expect(parsed.problems.first?.hasPrefix("line 2:") == true)
        #expect(parsed.problems.contains { $0.hasPrefix("line 8:") })
        // Random bytes never crash the parser.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let bytes = (0..<80).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = ThemeParser.parse("theme[x]=\"" + String(decoding: bytes, as: UTF8.self))
        }
    }

    @Test("--theme takes a name or a path; unknown names list the known ones")
    func lookup() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cybernetic-themes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("theme[main_bg]=\"#010101\"\n".utf8).write(to: directory.appendingPathComponent("mine.theme"))
        let catalog = ThemeCatalog(directories: [directory.path])
        #expect(try catalog.load("mine").theme.bg == RGB(1, 1, 1))
        #expect(try catalog.load(directory.appendingPathComponent("mine.theme").path).theme.name == "mine")
        #expect(try catalog.load("light").theme.name == "light")
        #expect(catalog.names().contains("mine"))
        #expect(throws: ThemeCatalog.Failure.self) { try catalog.load("nope") }
        do {
            _ = try catalog.load("nope")
        } catch {
            #expect(error.description.contains("light"))
        }
        #expect(throws: ThemeCatalog.Failure.self) { try catalog.load("/does/not/exist.theme") }
    }

    @Test("color capability: NO_COLOR, 8/16/256 colors and direct color")
    func colorModes() {
        #expect(ColorMode.detect(hasColors: true, colors: 256, environment: ["NO_COLOR": "1"]) == .none)
        #expect(ColorMode.detect(hasColors: true, colors: 256, environment: ["NO_COLOR": ""]) == .ansi256)
        #expect(ColorMode.detect(hasColors: false, colors: 0, environment: [:]) == .none)
        #expect(ColorMode.detect(hasColors: true, colors: 8, environment: [:]) == .ansi8)
        #expect(ColorMode.detect(hasColors: true, colors: 16, environment: [:]) == .ansi16)
        #expect(ColorMode.detect(hasColors: true, colors: 1 << 24, environment: [:]) == .direct)
        #expect(ColorMode.ansi256.index(for: RGB(255, 0, 0)) == 196)
        #expect(ColorMode.ansi256.index(for: RGB(0x80, 0x80, 0x80)) == 244)
        #expect(ColorMode.ansi16.index(for: RGB(250, 10, 10)) == 9)
        #expect(ColorMode.ansi8.index(for: RGB(250, 10, 10)) == 1)
        #expect(ColorMode.direct.index(for: RGB(1, 2, 3)) == 0x010203)
        #expect(ColorMode.ansi256.index(for: nil) == -1)
        #expect(ColorMode.none.index(for: RGB(1, 2, 3)) == -1)
    }
}
