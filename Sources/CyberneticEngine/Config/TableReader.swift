import TOMLKit

/// Reads typed values out of one TOML table, recording a `ConfigurationIssue` for every bad one
/// instead of stopping, so `cybernetic check` can report all problems at once.
final class TableReader {
    let table: TOMLTable
    /// Shown to the user, e.g. `queue` or `task "lint"`.
    let displayPath: String
    /// Used to find lines, e.g. `queue` or `task#2`.
    let tableID: String
    let lines: SourceLines
    let collector: IssueCollector

    init(_ table: TOMLTable, displayPath: String, tableID: String, lines: SourceLines, collector: IssueCollector) {
        self.table = table
        self.displayPath = displayPath
        self.tableID = tableID
        self.lines = lines
        self.collector = collector
    }

    func fail(_ key: String, _ message: String) {
        collector.add(key: displayPath.isEmpty ? key : "\(displayPath).\(key)",
                      line: lines.line(table: tableID, key: key), message: message)
    }

    /// Reports keys this table does not know, with the closest known key as a suggestion.
    func rejectUnknownKeys(allowed: [String]) {
        for key in table.keys where !allowed.contains(key) {
            fail(key, "unknown key '\(key)'" + Suggestions.hint(for: key, in: allowed))
        }
    }

    private func value(_ key: String, expected: String, _ extract: (TOMLValueConvertible) -> Any?) -> Any? {
        guard let raw = table[key] else { return nil }
        guard let value = extract(raw) else {
            fail(key, "expected \(expected), got \(raw.type) \(Self.render(raw))")
            return nil
        }
        return value
    }

    func int(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let value = value(key, expected: "an integer", { $0.type == .int ? $0.int : nil }) as? Int else { return nil }
        guard range.contains(value) else {
            fail(key, "must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
            return nil
        }
        return value
    }

    /// A number (integer or float) within `range`.
    func fraction(_ key: String, in range: ClosedRange<Double>) -> Double? {
        let number = value(key, expected: "a number", { raw -> Double? in
            raw.type == .double ? raw.double : raw.type == .int ? raw.int.map(Double.init) : nil
        }) as? Double
        guard let number else { return nil }
        guard range.contains(number) else {
            fail(key, "must be between \(range.lowerBound) and \(range.upperBound), got \(number)")
            return nil
        }
        return number
    }

    func bool(_ key: String) -> Bool? {
        value(key, expected: "true or false", { $0.type == .bool ? $0.bool : nil }) as? Bool
    }

    func string(_ key: String, allowEmpty: Bool = false) -> String? {
        guard let text = value(key, expected: "a string", { $0.type == .string ? $0.string : nil }) as? String else { return nil }
        if !allowEmpty && text.trimmingWhitespace().isEmpty {
            fail(key, "must not be empty")
            return nil
        }
        return text
    }

    func duration(_ key: String, in range: ClosedRange<Duration>) -> Duration? {
        guard let raw = table[key] else { return nil }
        guard raw.type == .string, let text = raw.string else {
            let example = raw.int.map { " such as \"\($0)s\"" } ?? " such as \"250ms\", \"30s\" or \"5m\""
            fail(key, "expected a duration string\(example), got \(raw.type) \(Self.render(raw))")
            return nil
        }
        guard let duration = DurationText.parse(text) else {
            fail(key, "'\(text)' is not a duration; write it like \"250ms\", \"30s\" or \"5m\"")
            return nil
        }
        guard range.contains(duration) else {
            fail(key, "must be between \(DurationText.format(range.lowerBound)) and \(DurationText.format(range.upperBound)), got \(text)")
            return nil
        }
        return duration
    }

    /// A size: a number of bytes, or a string such as "512KiB", "16MiB", "1GiB" (also KB/MB/GB, powers of 1000).
    func size(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let raw = table[key] else { return nil }
        let bytes: Int?
        if raw.type == .int, let value = raw.int {
            bytes = value
        } else if raw.type == .string, let text = raw.string {
            bytes = SizeText.parse(text)
            if bytes == nil {
                fail(key, "'\(text)' is not a size; write it like \"512KiB\", \"16MiB\" or \"1GiB\"")
                return nil
            }
        } else {
            fail(key, "expected a size such as \"16MiB\", got \(raw.type) \(Self.render(raw))")
            return nil
        }
        guard let bytes, range.contains(bytes) else {
            fail(key, "must be between \(SizeText.format(range.lowerBound)) and \(SizeText.format(range.upperBound)), got \(Self.render(raw))")
            return nil
        }
        return bytes
    }

    func stringArray(_ key: String) -> [String]? {
        guard let raw = table[key] else { return nil }
        guard let array = raw.array else {
            fail(key, "expected an array of strings, got \(raw.type) \(Self.render(raw))")
            return nil
        }
        var result: [String] = []
        for (index, element) in array.enumerated() {
            guard element.type == .string, let text = element.string else {
                fail(key, "element \(index + 1) must be a string, got \(element.type) \(Self.render(element))")
                return nil
            }
            result.append(text)
        }
        return result
    }

    /// A command: a string runs through `/bin/sh -c`, a non-empty array of strings is exec'd directly.
    func command(_ key: String) -> CommandLine? {
        guard let raw = table[key] else { return nil }
        if raw.type == .string, let text = raw.string {
            guard !text.trimmingWhitespace().isEmpty else {
                fail(key, "empty command")
                return nil
            }
            return .shell(text)
        }
        if raw.type == .array {
            guard let argv = stringArray(key) else { return nil }
            guard let first = argv.first, !first.trimmingWhitespace().isEmpty else {
                fail(key, "empty command: the array needs a program name as its first element")
                return nil
            }
            return .argv(argv)
        }
        fail(key, "expected a command (a string, or an array of strings), got \(raw.type) \(Self.render(raw))")
        return nil
    }

    static func render(_ value: TOMLValueConvertible) -> String {
        switch value.type {
        case .string: "\"\(value.string ?? "")\""
        case .int: "\(value.int ?? 0)"
        case .double: "\(value.double ?? 0)"
        case .bool: "\(value.bool ?? false)"
        case .array: "[...]"
        case .table: "{...}"
        default: "\(value)"
        }
    }
}

final class IssueCollector {
    private(set) var issues: [ConfigurationIssue] = []

    func add(key: String, line: Int?, message: String) {
        issues.append(ConfigurationIssue(key: key, line: line, message: message))
    }
}
