/// Catches, before TOMLKit sees the text, input that makes its bundled toml++ abort the process
/// instead of reporting an error: a table header whose key starts with a character that cannot
/// begin a key (`[#`, `[=`, `[.`, `[,`, `[é` — found by fuzzing, `Fuzz/Regressions/workload`).
/// toml++ checks that with an `assert`, which in a debug build ends the process.
///
/// A header can only start a line at statement level, so the scan skips strings (all four kinds),
/// comments, and array or inline-table values that span lines.
///
/// Also a `}` where an array expects a value (`x = [}]`): toml++ asserts there too (found by
/// CI's fuzzing). A `}` can only close an inline table, so one whose innermost open bracket is
/// `[` is always an error.
enum TOMLPrecheck {
    struct Problem: Equatable {
        var line: Int
        var message: String
    }

    static let headerMessage = "TOML syntax error: a table header needs a key after '[' (a letter, digit, _, - or a quoted key)"
    static let braceMessage = "TOML syntax error: '}' inside an array, where a value or ']' must come"

    /// The 1-based line of the first such header, if any.
    static func badTableHeader(in text: String) -> Int? {
        problem(in: text).flatMap { $0.message == headerMessage ? $0.line : nil }
    }

    /// The first input toml++ would abort on instead of reporting, if any.
    static func problem(in text: String) -> Problem? {
        let bytes = Array(text.utf8)
        var i = 0
        var line = 1
        var open: [UInt8] = []   // the [ and { open inside a value, innermost last
        var atLineStart = true   // only whitespace so far on this line
        // toml++ skips a UTF-8 byte-order mark, so the first line's header starts after it.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        func starts(_ s: String, at j: Int) -> Bool {
            let p = Array(s.utf8)
            return j + p.count <= bytes.count && Array(bytes[j..<j + p.count]) == p
        }
        while i < bytes.count {
            let c = bytes[i]
            switch c {
            case UInt8(ascii: "\n"):
                line += 1
                atLineStart = true
                i += 1
                continue
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                i += 1
                continue
            case UInt8(ascii: "#"):
                while i < bytes.count && bytes[i] != UInt8(ascii: "\n") { i += 1 }
                continue
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                let triple = String(repeating: String(UnicodeScalar(c)), count: 3)
                if starts(triple, at: i) {
                    i += 3
                    while i < bytes.count && !starts(triple, at: i) {
                        if bytes[i] == UInt8(ascii: "\n") { line += 1 }
                        if c == UInt8(ascii: "\"") && bytes[i] == UInt8(ascii: "\\") { i += 1 }
                        i += 1
                    }
                    i += 3
                } else {
                    i += 1
                    while i < bytes.count && bytes[i] != c && bytes[i] != UInt8(ascii: "\n") {
                        if c == UInt8(ascii: "\"") && bytes[i] == UInt8(ascii: "\\") { i += 1 }
                        i += 1
                    }
                    if i < bytes.count && bytes[i] == c { i += 1 }
                }
                atLineStart = false
                continue
            case UInt8(ascii: "["):
                if atLineStart && open.isEmpty {
                    var j = i + 1
                    if j < bytes.count && bytes[j] == UInt8(ascii: "[") { j += 1 }
                    while j < bytes.count && (bytes[j] == UInt8(ascii: " ") || bytes[j] == UInt8(ascii: "\t")) { j += 1 }
                    guard j < bytes.count else { return Problem(line: line, message: headerMessage) }
                    let k = bytes[j]
                    let keyStart = (k >= UInt8(ascii: "a") && k <= UInt8(ascii: "z")) || (k >= UInt8(ascii: "A") && k <= UInt8(ascii: "Z"))
                        || (k >= UInt8(ascii: "0") && k <= UInt8(ascii: "9")) || k == UInt8(ascii: "_") || k == UInt8(ascii: "-")
                        || k == UInt8(ascii: "\"") || k == UInt8(ascii: "'") || k == UInt8(ascii: "]")
                    if !keyStart { return Problem(line: line, message: headerMessage) }
                    // The rest of the header line holds no value brackets to count.
                    while i < bytes.count && bytes[i] != UInt8(ascii: "\n") && bytes[i] != UInt8(ascii: "#") { i += 1 }
                    continue
                }
                open.append(c)
            case UInt8(ascii: "{"):
                open.append(c)
            case UInt8(ascii: "}"):
                if open.last == UInt8(ascii: "[") { return Problem(line: line, message: braceMessage) }
                _ = open.popLast()
            case UInt8(ascii: "]"):
                _ = open.popLast()
            default:
                break
            }
            atLineStart = false
            i += 1
        }
        return nil
    }
}
