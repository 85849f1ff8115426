/// Reads btop's theme-file format: `theme[key]="value"` per line, `#` comments, values as
/// "#RRGGBB", "#BW" (one grey level), "R G B" in decimal, or "" for the terminal's default.
///
/// A theme file is user input: a bad line is reported and skipped, never fatal, so one typo does
/// not cost the whole theme (btop behaves the same way).
public enum ThemeParser {
    public struct Result: Sendable {
        public var values: [String: Theme.Value]
        /// "line 4: ..." for every line that was skipped.
        public var problems: [String]
    }

    public static func parse(_ text: String) -> Result {
        var values: [String: Theme.Value] = [:]
        var problems: [String] = []
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmed(" \t\r")
            if line.isEmpty || line.hasPrefix("#") { continue }
            switch parseLine(line) {
            case .success(let (key, value)): values[key] = value
            case .failure(let problem): problems.append("line \(index + 1): \(problem.message)")
            }
        }
        return Result(values: values, problems: problems)
    }

    struct Problem: Error { var message: String }

    static func parseLine(_ line: String) -> Swift.Result<(String, Theme.Value), Problem> {
        guard line.hasPrefix("theme["), let close = line.firstIndex(of: "]") else {
            return .failure(Problem(message: "expected theme[key]=\"value\""))
        }
        let key = String(line[line.index(line.startIndex, offsetBy: 6)..<close]).trimmed(" ")
        guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            return .failure(Problem(message: "'\(key)' is not a theme key"))
        }
        var rest = line[line.index(after: close)...].trimmed(" \t")
        guard rest.hasPrefix("=") else { return .failure(Problem(message: "expected = after theme[\(key)]")) }
        rest = String(rest.dropFirst()).trimmed(" \t")
        if let quote = rest.first, quote == "\"" || quote == "'" {
            guard rest.count >= 2, rest.last == quote else {
                return .failure(Problem(message: "unterminated quote in theme[\(key)]"))
            }
            rest = String(rest.dropFirst().dropLast())
        }
        guard let value = parseValue(rest.trimmed(" \t")) else {
            return .failure(Problem(message: "theme[\(key)]: '\(rest)' is not a color (use \"#RRGGBB\", \"#BW\" or \"R G B\")"))
        }
        return .success((key, value))
    }

    static func parseValue(_ text: String) -> Theme.Value? {
        if text.isEmpty { return .terminalDefault }
        if text.hasPrefix("#") {
            let hex = Array(text.dropFirst())
            guard hex.allSatisfy({ $0.isASCII && $0.isHexDigit }) else { return nil }
            func byte(_ i: Int) -> UInt8 { UInt8(String(hex[i...i + 1]), radix: 16)! }
            switch hex.count {
            case 6: return .color(RGB(byte(0), byte(2), byte(4)))
            case 2: return .color(RGB(byte(0), byte(0), byte(0)))
            default: return nil
            }
        }
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count == 3 else { return nil }
        let numbers = parts.compactMap { UInt8($0) }
        guard numbers.count == 3 else { return nil }
        return .color(RGB(numbers[0], numbers[1], numbers[2]))
    }
}

extension StringProtocol {
    func trimmed(_ set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}
