/// Makes text that came from commands safe to show: no escape sequences, no control characters,
/// no invalid UTF-8. A command's output must never be able to move the cursor, retitle the window
/// or change colors in the user's terminal. It also hides known secret values (see `Secrets`): this
/// is the one door command-derived text passes on its way to events, reports, logs and the screen.
public enum SafeText {
    /// Decodes bytes as UTF-8 (invalid sequences become U+FFFD), removes ANSI/VT escape sequences
    /// and control characters, and keeps newlines and tabs (tabs become spaces).
    public static func clean(_ bytes: some Collection<UInt8>) -> String {
        clean(String(decoding: Array(bytes), as: UTF8.self))
    }

    public static func clean(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var scalars = text.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            switch scalar.value {
            case 0x1B:
                skipEscape(&scalars)
            case 0x9B:
                skipControlSequence(&scalars)
            case 0x0A:
                out.append(scalar)
            case 0x09:
                out.append(" ")
            case 0x0D:
                continue
            case 0x00...0x1F, 0x7F...0x9F:
                continue
            case 0x200B...0x200F, 0x202A...0x202E, 0x2066...0x2069:
                continue  // zero-width and bidi overrides can disguise text
            default:
                out.append(scalar)
            }
        }
        return Secrets.redact(String(out))
    }

    /// One line: like `clean`, with newlines turned into spaces.
    public static func line(_ text: String) -> String {
        clean(text).replacingNewlines()
    }

    /// The last `maxLines` lines of the output, sanitized, each cut to `maxWidth` characters.
    public static func tail(_ bytes: some Collection<UInt8>, maxLines: Int = 20, maxWidth: Int = 240) -> String {
        let lines = clean(bytes).split(separator: "\n", omittingEmptySubsequences: true).suffix(maxLines)
        return lines.map { $0.count > maxWidth ? String($0.prefix(maxWidth)) + "…" : String($0) }.joined(separator: "\n")
    }

    private static func skipEscape(_ scalars: inout String.UnicodeScalarView.Iterator) {
        guard let next = scalars.next() else { return }
        switch next {
        case "[":
            skipControlSequence(&scalars)
        case "]", "P", "X", "^", "_":
            // OSC, DCS, SOS, PM, APC: run until BEL or ESC \.
            while let s = scalars.next() {
                if s.value == 0x07 { return }
                if s.value == 0x1B { _ = scalars.next(); return }
            }
        default:
            return  // two-character escape such as ESC c or ESC 7
        }
    }

    private static func skipControlSequence(_ scalars: inout String.UnicodeScalarView.Iterator) {
        while let s = scalars.next() {
            if (0x40...0x7E).contains(s.value) { return }
        }
    }
}

extension String {
    func replacingNewlines() -> String {
        String(unicodeScalars.map { $0 == "\n" ? " " : Character($0) })
    }
}
