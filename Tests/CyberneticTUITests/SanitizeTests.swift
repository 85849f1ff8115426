@testable import CyberneticEngine
import CyberneticTUI
import Testing
import TestSupport

@Suite("Text from commands cannot reach the terminal as control codes", .watchdog)
struct SanitizeTests {
    static let hostile = "rm -rf \u{1B}]0;pwned\u{07}\u{1B}[2J\u{1B}[31mred\r\u{9B}1;1Hx\u{0}\u{7F}\u{202E}gnp.exe"

    @Test("escape sequences, carriage returns and C0/C1 controls vanish from every pane")
    func controlCodes() {
        var task = TaskStats(name: "evil\u{1B}[1mtask", command: Self.hostile)
        task.runs = 1
        let events = [Fixture.event(1, "task \u{1B}[31mevil\u{1B}[0m failed\r", level: .error,
                                    detail: "line1\u{1B}]52;c;Y2xpcGJvYXJk\u{07}\nline2\r\n")]
        var snapshot = Fixture.snapshot(events: events, tasks: [task])
        snapshot.processPool.runtimes[0].runtime = "no\u{1B}[5mde"
        snapshot.source = "a\u{1B}[8mb.toml"
        let canvas = Fixture.dashboard(width: 200, height: 60, snapshot: snapshot)
        let text = canvas.plainText
        let controls = text.unicodeScalars.filter { $0.value < 0x20 && $0 != "\n" || (0x7F...0x9F).contains($0.value) }
        #expect(controls.isEmpty)
        #expect(!text.contains("\u{202E}"))
        #expect(text.contains("redx"))
        #expect(text.contains("rm -rf"))
        #expect(text.contains("evil failed"))
        #expect(text.contains("line1"))
        #expect(!text.contains("52;c"))
        #expect(!text.contains("[31m"))
        #expect(text.contains("evil") && !text.contains("[1m"))
    }

    @Test("invalid UTF-8 becomes U+FFFD rather than being passed on")
    func invalidUTF8() {
        let cleaned = SafeText.clean([0x66, 0x6F, 0xFF, 0xC3, 0x28, 0x6F] as [UInt8])
        #expect(cleaned.contains("\u{FFFD}"))
        #expect(cleaned.hasPrefix("fo"))
        var canvas = Canvas(width: 20, height: 1)
        canvas.text(cleaned, x: 0, y: 0, style: .plain)
        #expect(canvas.line(0).hasPrefix("fo\u{FFFD}"))
    }

    @Test("a very long line is cut to the pane with an ellipsis, never wrapped onto the next row")
    func longLines() {
        let long = String(repeating: "0123456789", count: 1000)
        var snapshot = Fixture.snapshot(events: [Fixture.event(1, long)])
        snapshot.tasks[0].command = long
        let canvas = Fixture.render(.events, width: 50, height: 5, snapshot: snapshot)
        let row = canvas.line(1)
        #expect(row.hasSuffix("…│"))
        #expect(Canvas.displayWidth(row) == 50)
        #expect(canvas.line(2).allSatisfy { $0 == " " || $0 == "│" })
    }

    @Test("canvas text clips at its width and handles double-width characters")
    func canvasText() {
        var canvas = Canvas(width: 10, height: 2)
        let used = canvas.text("abcdefghijklmnop", x: 0, y: 0, style: .plain)
        #expect(used == 10)
        #expect(canvas.line(0) == "abcdefghi…")
        canvas.text("ab", x: 8, y: 1, style: .plain)
        canvas.text("zz", x: -1, y: 1, style: .plain)
        #expect(canvas.line(1) == "z       ab")
    }
}
