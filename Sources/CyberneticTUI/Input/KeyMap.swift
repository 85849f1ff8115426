/// Maps keys to actions: a pure table, so what every key does is testable without a terminal.
/// The defaults are the design's key table; a `[keys]` table can rebind any action.
public struct KeyMap: Sendable, Equatable {
    public private(set) var bindings: [Key: Action]

    public init(bindings: [Key: Action]) {
        self.bindings = bindings
    }

    public static let standard: KeyMap = {
        var b: [Key: Action] = [
            .character("r"): .rollback, .character("a"): .abTest, .character("p"): .togglePause,
            .tab: .focusNext, .backTab: .focusPrevious,
            .up: .moveUp, .character("k"): .moveUp, .down: .moveDown, .character("j"): .moveDown,
            .pageUp: .pageUp, .pageDown: .pageDown, .home: .top, .character("g"): .top,
            .end: .bottom, .character("G"): .bottom,
            .character("t"): .nextTheme, .character("?"): .toggleHelp, .escape: .closeOverlay,
            .character("q"): .quit, .control("c"): .quit,
        ]
        for n in 1...9 { b[.character(Character(String(n)))] = .toggleFlag(n) }
        return KeyMap(bindings: b)
    }()

    public func action(for key: Key) -> Action? {
        bindings[key]
    }

    /// The first key bound to an action, for hints ("r rollback").
    public func key(for action: Action) -> Key? {
        let keys = bindings.filter { $0.value == action }.map(\.key)
        return keys.min { $0.description.count < $1.description.count || ($0.description.count == $1.description.count && $0.description < $1.description) }
    }

    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case unknownAction(String)
        case badKey(action: String, key: String)

        public var description: String {
            switch self {
            case .unknownAction(let name):
                "[keys]: unknown action '\(name)'; actions: \(Action.named.map(\.name).joined(separator: ", "))"
            case .badKey(let action, let key):
                "[keys] \(action): '\(key)' is not a key (write q, Tab, S-Tab, Up, PgDn, C-l, F5, Space)"
            }
        }
    }

    /// This map with actions rebound, as a `[keys]` table gives them (action name = key name).
    /// A rebound action loses its old keys, and a key taken by a rebinding leaves its old action;
    /// `q`'s companion Ctrl-C always quits, so the user can never lock themselves in.
    public func rebinding(_ table: [String: String]) throws(Problem) -> KeyMap {
        var bindings = self.bindings
        for (name, keyName) in table.sorted(by: { $0.key < $1.key }) {
            guard let action = Action.named.first(where: { $0.name == name })?.action else { throw .unknownAction(name) }
            guard let key = Key(name: keyName) else { throw .badKey(action: name, key: keyName) }
            bindings = bindings.filter { $0.value != action || $0.key == .control("c") }
            bindings[key] = action
        }
        bindings[.control("c")] = .quit
        return KeyMap(bindings: bindings)
    }
}
