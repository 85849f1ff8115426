/// The characters widgets draw with. A terminal whose locale is not UTF-8 gets the ASCII set,
/// which shows the same information with plain characters instead of garbage.
public struct Glyphs: Sendable, Equatable {
    public var horizontal: Character
    public var vertical: Character
    public var topLeft: Character
    public var topRight: Character
    public var bottomLeft: Character
    public var bottomRight: Character
    public var titleLeft: Character
    public var titleRight: Character
    public var meterFull: Character
    /// The unfilled part of a meter. It differs from the filled glyph even in color (btop uses
    /// the same glyph in a dim color), so a meter still reads right as plain text, for a screen
    /// reader, a copy-paste or a test; `meterEmptyMono` is for terminals without colors.
    public var meterEmpty: Character
    public var meterEmptyMono: Character
    public var sparkline: [Character]
    /// Braille graphs on UTF-8; ASCII uses one of these per cell by fill level (0...4).
    public var braille: Bool
    public var asciiGraph: [Character]
    /// Fill characters for the parts of a stacked bar, densest first, so the parts stay apart
    /// where colors do not reach (monochrome, a copy-paste, a test).
    public var shades: [Character]
    public var ellipsis: Character
    public var check: Character
    public var cross: Character
    public var running: Character
    public var pending: Character
    public var arrow: Character
    public var dot: Character
    public var up: Character
    public var down: Character

    public static let unicode = Glyphs(
        horizontal: "─", vertical: "│", topLeft: "╭", topRight: "╮", bottomLeft: "╰", bottomRight: "╯",
        titleLeft: "┤", titleRight: "├", meterFull: "■", meterEmpty: "·", meterEmptyMono: "·",
        sparkline: [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"], braille: true,
        asciiGraph: [" ", ".", ":", ":", "|"], shades: ["█", "▓", "▒", "░"], ellipsis: "…", check: "✓", cross: "✗", running: "●",
        pending: "○", arrow: "→", dot: "·", up: "↑", down: "↓"
    )

    public static let ascii = Glyphs(
        horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
        titleLeft: "[", titleRight: "]", meterFull: "|", meterEmpty: " ", meterEmptyMono: " ",
        sparkline: [" ", "_", "_", ".", ".", "-", "=", "#", "#"], braille: false,
        asciiGraph: [" ", ".", ":", ":", "|"], shades: ["#", "=", "+", "-"], ellipsis: "~", check: "+", cross: "x", running: "*",
        pending: "o", arrow: ">", dot: ".", up: "^", down: "v"
    )

    /// Whether every glyph is 7-bit ASCII: what the fallback promises.
    public var isASCII: Bool {
        let all: [Character] = [horizontal, vertical, topLeft, topRight, bottomLeft, bottomRight, titleLeft,
                                titleRight, meterFull, meterEmpty, meterEmptyMono, ellipsis, check, cross,
                                running, pending, arrow, dot, up, down] + sparkline + asciiGraph + shades
        return !braille && all.allSatisfy(\.isASCII)
    }

    /// Text the engine wrote ("41 ms→2 ms") made drawable with this glyph set: on an ASCII
    /// terminal arrows and dots become their ASCII forms and anything else outside ASCII a '?'.
    public func fit(_ text: String) -> String {
        guard isASCII, !text.allSatisfy(\.isASCII) else { return text }
        var out = ""
        for character in text {
            switch character {
            case "→": out += "->"
            case "·": out += "-"
            case "…": out += "..."
            default: out.append(character.isASCII ? character : "?")
            }
        }
        return out
    }
}
