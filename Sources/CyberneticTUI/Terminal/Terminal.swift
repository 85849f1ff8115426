import CNCurses
import Foundation

/// The ncurses screen. It is the only code that talks to the terminal, and it is used from one
/// thread only (ncurses is not thread-safe): the control room's UI thread.
final class Terminal {
    enum Failure: Error, CustomStringConvertible {
        case noTerminal(String)
        var description: String {
            switch self { case .noTerminal(let why): why }
        }
    }

    let colorMode: ColorMode
    let utf8: Bool
    private let screen: OpaquePointer
    private let file: UnsafeMutablePointer<FILE>
    private var pairs: [PairKey: Int32] = [:]
    private var pairByColors: [ColorKey: Int32] = [:]
    private let maxPairs: Int32
    private var closed = false
    private let decoder = KeyDecoder(
        up: cn_key_up(), down: cn_key_down(), left: cn_key_left(), right: cn_key_right(),
        pageUp: cn_key_ppage(), pageDown: cn_key_npage(), home: cn_key_home(), end: cn_key_end(),
        backTab: cn_key_btab(), resize: cn_key_resize(), enter: cn_key_enter(), backspace: cn_key_backspace(),
        f0: 0o410
    )

    private struct PairKey: Hashable {
        var fg: Int32
        var bg: Int32
    }

    /// Opens the controlling terminal. The caller has already called `setlocale`, which decides
    /// UTF-8 or ASCII. Fails, instead of letting ncurses exit the process, when there is no
    /// usable terminal (no /dev/tty, unknown TERM).
    init(environment: [String: String] = ProcessInfo.processInfo.environment) throws(Failure) {
        utf8 = cn_locale_is_utf8() != 0
        guard let tty = cn_open_tty() else { throw .noTerminal("cannot open /dev/tty") }
        guard let screen = newterm(nil, tty, tty) else {
            fclose(tty)
            throw .noTerminal("ncurses cannot drive this terminal (TERM=\(environment["TERM"] ?? "unset"))")
        }
        self.screen = screen
        file = tty
        set_term(screen)
        cbreak()
        noecho()
        nonl()
        keypad(cn_stdscr(), true)
        nodelay(cn_stdscr(), true)
        leaveok(cn_stdscr(), true)
        intrflush(cn_stdscr(), false)
        curs_set(0)
        set_escdelay(25)
        let wantColors = has_colors() && !(environment["NO_COLOR"].map { !$0.isEmpty } ?? false)
        if wantColors {
            start_color()
            use_default_colors()
        }
        colorMode = ColorMode.detect(hasColors: wantColors, colors: Int(cn_colors()), environment: environment)
        maxPairs = min(cn_color_pairs(), 0x7FFF_FFFF)
    }

    deinit { close() }

    /// Leaves curses mode and gives the terminal back as it was. Safe to call twice.
    func close() {
        guard !closed else { return }
        closed = true
        curs_set(1)
        endwin()
        delscreen(screen)
        fclose(file)
    }

    /// The descriptor to poll for key presses.
    var inputDescriptor: Int32 { fileno(file) }

    var size: (width: Int, height: Int) {
        (Int(cn_getmaxx(cn_stdscr())), Int(cn_getmaxy(cn_stdscr())))
    }

    /// Every key waiting, without blocking.
    func readKeys() -> [Key] {
        var keys: [Key] = []
        var value: Int32 = 0
        while keys.count < 256 {
            let rc = cn_get_key(cn_stdscr(), &value)
            if rc == cn_err() { break }
            if let key = decoder.decode(functionKey: rc == cn_key_code_yes(), value: value) { keys.append(key) }
        }
        return keys
    }

    /// Copies the canvas to the screen; ncurses then sends only the cells that changed.
    func draw(_ canvas: Canvas) {
        let (width, height) = size
        for y in 0..<min(height, canvas.height) {
            for x in 0..<min(width, canvas.width) {
                let cell = canvas[x, y]
                guard let character = cell.character else { continue }
                var scalar = character.unicodeScalars.first?.value ?? 32
                if !utf8 && scalar > 0x7E { scalar = 0x3F }
                if scalar < 0x20 { scalar = 0x20 }
                // A double-width character in the last column would wrap; show a space instead.
                if x == width - 1, Canvas.displayWidth(character) == 2 { scalar = 0x20 }
                _ = cn_put_wchar_ext(Int32(y), Int32(x), wchar_t(bitPattern: scalar), attributes(cell.style),
                                     pair(for: cell.style))
            }
        }
        refresh()
    }

    private func attributes(_ style: Style) -> attr_t {
        var attrs = cn_a_normal()
        if style.bold { attrs |= cn_a_bold() }
        if style.dim && colorMode == .none { attrs |= cn_a_dim() }
        if style.underline { attrs |= cn_a_underline() }
        if style.monoReverse && colorMode == .none { attrs |= cn_a_reverse() }
        return attrs
    }

    /// The pair for a style's colors, remembered by the colors themselves: mapping an RGB down to
    /// the 256-color palette for every cell of every frame was most of an idle dashboard's CPU.
    private func pair(for style: Style) -> Int32 {
        guard colorMode != .none else { return 0 }
        let colors = ColorKey(fg: style.fg, bg: style.bg)
        if let known = pairByColors[colors] { return known }
        let key = PairKey(fg: colorMode.index(for: style.fg), bg: colorMode.index(for: style.bg))
        let number: Int32
        if key.fg == -1 && key.bg == -1 {
            number = 0
        } else if let existing = pairs[key] {
            number = existing
        } else {
            if Int32(pairs.count) + 1 >= maxPairs {
                // Out of pairs (only on terminals with very few): start over; the next frames repaint.
                pairs.removeAll()
                pairByColors.removeAll()
            }
            number = Int32(pairs.count) + 1
            init_extended_pair(number, key.fg, key.bg)
            pairs[key] = number
        }
        pairByColors[colors] = number
        return number
    }
}

private struct ColorKey: Hashable {
    var fg: RGB?
    var bg: RGB?
}
