/// One problem found in a workload file. `key` is the dotted path a user would search for.
public struct ConfigurationIssue: Sendable, Equatable, CustomStringConvertible {
    public var key: String
    public var line: Int?
    public var message: String

    public init(key: String, line: Int?, message: String) {
        self.key = key
        self.line = line
        self.message = message
    }

    public var description: String {
        let place = line.map { "line \($0): " } ?? ""
        return key.isEmpty ? "\(place)\(message)" : "\(place)\(key): \(message)"
    }

    /// `file:line: key: message`, the form editors and CI logs turn into links.
    public func located(in source: String) -> String {
        let place = line.map { "\(source):\($0)" } ?? source
        return key.isEmpty ? "\(place): \(message)" : "\(place): \(key): \(message)"
    }
}

/// Every problem found in a workload file, not only the first, sorted by line.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var source: String
    public var issues: [ConfigurationIssue]

    public init(source: String, issues: [ConfigurationIssue]) {
        self.source = source
        self.issues = issues.sorted { ($0.line ?? .max, $0.key) < ($1.line ?? .max, $1.key) }
    }

    public var description: String {
        let count = issues.count == 1 ? "1 error" : "\(issues.count) errors"
        return issues.map { $0.located(in: source) }.joined(separator: "\n") + "\n\(source): \(count)"
    }
}

enum Suggestions {
    /// The closest candidate within a small edit distance, for "did you mean" hints.
    static func closest(to word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= max(2, word.count / 3) ? best.0 : nil
    }

    static func hint(for word: String, in candidates: [String]) -> String {
        if let match = closest(to: word, in: candidates) { return "; did you mean '\(match)'?" }
        return "; expected one of: " + candidates.joined(separator: ", ")
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
