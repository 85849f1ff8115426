/// A key press, decoded from ncurses but independent of it, so key handling is testable
/// without a terminal.
public enum Key: Hashable, Sendable, CustomStringConvertible {
    case character(Character)
    case control(Character)
    case tab, backTab, enter, escape, backspace
    case up, down, left, right, pageUp, pageDown, home, end
    case resize
    case function(Int)

    /// Parses a key as written in a `[keys]` table or shown in hints: "q", "Tab", "S-Tab",
    /// "Up", "PgDn", "C-l", "F5", "Space".
    public init?(name: String) {
        let lower = name.lowercased()
        switch lower {
        case "tab": self = .tab
        case "s-tab", "shift-tab", "backtab": self = .backTab
        case "enter", "return": self = .enter
        case "esc", "escape": self = .escape
        case "backspace", "bs": self = .backspace
        case "up": self = .up
        case "down": self = .down
        case "left": self = .left
        case "right": self = .right
        case "pgup", "pageup": self = .pageUp
        case "pgdn", "pagedown": self = .pageDown
        case "home": self = .home
        case "end": self = .end
        case "space": self = .character(" ")
        default:
            if (lower.hasPrefix("c-") || lower.hasPrefix("ctrl-")), let last = lower.last, lower.count <= 6,
               last.isLetter, last.isASCII {
                self = .control(last)
            } else if lower.hasPrefix("f"), let n = Int(lower.dropFirst()), (1...12).contains(n) {
                self = .function(n)
            } else if name.count == 1, let c = name.first, !c.isWhitespace {
                self = .character(c)
            } else {
                return nil
            }
        }
    }

    public var description: String {
        switch self {
        case .character(" "): "Space"
        case .character(let c): String(c)
        case .control(let c): "C-\(c)"
        case .tab: "Tab"
        case .backTab: "S-Tab"
        case .enter: "Enter"
        case .escape: "Esc"
        case .backspace: "Backspace"
        case .up: "Up"
        case .down: "Down"
        case .left: "Left"
        case .right: "Right"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .home: "Home"
        case .end: "End"
        case .resize: "Resize"
        case .function(let n): "F\(n)"
        }
    }
}
