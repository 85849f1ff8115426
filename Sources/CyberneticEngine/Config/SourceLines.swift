/// Finds the line of a table header or key in TOML text.
///
/// TOMLKit reports positions only for syntax errors, so semantic errors ("max_size must be positive")
/// locate their key here. It understands the forms workload files use: `[table]`, `[[array]]`,
/// `key = value`; anything it cannot place yields no line rather than a wrong one.
struct SourceLines {
    /// "queue" or "task#2" → line of its header.
    private var headers: [String: Int] = [:]
    /// "queue.max_size" or "task#2.run" → line of the key.
    private var keys: [String: Int] = [:]

    init(text: String) {
        var current = ""
        var arrayCounts: [String: Int] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = rawLine.trimmingPrefix(while: { $0 == " " || $0 == "\t" })
            if line.hasPrefix("[[") {
                let name = Self.headerName(line.dropFirst(2))
                let n = arrayCounts[name, default: 0]
                arrayCounts[name] = n + 1
                current = "\(name)#\(n)"
                headers[current] = lineNumber
            } else if line.hasPrefix("[") {
                current = Self.headerName(line.dropFirst())
                headers[current] = headers[current] ?? lineNumber
            } else if let equals = line.firstIndex(of: "="), !line.hasPrefix("#") {
                var key = String(line[..<equals]).trimmingWhitespace()
                key = key.trimmingCharacters(in: "\"'")
                let path = current.isEmpty ? key : "\(current).\(key)"
                if keys[path] == nil { keys[path] = lineNumber }
            }
        }
    }

    func line(table: String) -> Int? { headers[table] }

    func line(table: String, key: String) -> Int? {
        if table.isEmpty { return keys[key] ?? headers[key] }
        return keys["\(table).\(key)"] ?? headers[table]
    }

    private static func headerName(_ rest: Substring) -> String {
        let name = rest.prefix { $0 != "]" }
        return String(name).trimmingWhitespace().trimmingCharacters(in: "\"'")
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
