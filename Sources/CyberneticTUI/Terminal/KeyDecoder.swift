/// Turns what ncurses' `wget_wch` returns into a `Key`. The ncurses constants come in as
/// arguments, so the mapping itself is a pure function.
struct KeyDecoder {
    var up: Int32, down: Int32, left: Int32, right: Int32
    var pageUp: Int32, pageDown: Int32, home: Int32, end: Int32
    var backTab: Int32, resize: Int32, enter: Int32, backspace: Int32
    /// KEY_F0; function key n is KEY_F0 + n.
    var f0: Int32

    func decode(functionKey: Bool, value: Int32) -> Key? {
        if functionKey {
            switch value {
            case up: return .up
            case down: return .down
            case left: return .left
            case right: return .right
            case pageUp: return .pageUp
            case pageDown: return .pageDown
            case home: return .home
            case end: return .end
            case backTab: return .backTab
            case resize: return .resize
            case enter: return .enter
            case backspace: return .backspace
            case f0 + 1...f0 + 12: return .function(Int(value - f0))
            default: return nil
            }
        }
        switch value {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26: return .control(Character(Unicode.Scalar(UInt8(value) + 96)))
        default:
            guard value > 31, let scalar = Unicode.Scalar(UInt32(value)) else { return nil }
            return .character(Character(scalar))
        }
    }
}
