import Foundation

/// Thompson sampling over a Beta(successes + 1, failures + 1) posterior per action type: an
/// action that has helped before is tried first, one that has not still gets an occasional
/// chance, and nothing needs tuning by hand.
struct Bandit: Sendable {
    private(set) var records: [String: ActionRecord] = [:]

    init(records: [ActionRecord] = []) {
        for record in records { self.records[record.action] = record }
    }

    /// The candidate whose sampled success rate is highest.
    func choose(among candidates: [String], using generator: inout SeededGenerator) -> String? {
        candidates.max { a, b in
            sample(a, &generator) < sample(b, &generator)
        }
    }

    private func sample(_ action: String, _ generator: inout SeededGenerator) -> Double {
        let record = records[action] ?? ActionRecord(action: action)
        return Beta.sample(alpha: Double(record.successes + 1), beta: Double(record.failures + 1), using: &generator)
    }

    mutating func record(_ action: String, success: Bool) {
        var record = records[action] ?? ActionRecord(action: action)
        if success { record.successes += 1 } else { record.failures += 1 }
        records[action] = record
    }

    var sorted: [ActionRecord] { records.values.sorted { $0.action < $1.action } }
}

/// Beta variates from two gamma variates (Marsaglia and Tsang's method).
enum Beta {
    static func sample(alpha: Double, beta: Double, using generator: inout SeededGenerator) -> Double {
        let x = gamma(alpha, &generator), y = gamma(beta, &generator)
        return x + y == 0 ? 0.5 : x / (x + y)
    }

    static func gamma(_ shape: Double, _ generator: inout SeededGenerator) -> Double {
        if shape < 1 {
            let u = Double.random(in: Double.ulpOfOne..<1, using: &generator)
            return gamma(shape + 1, &generator) * pow(u, 1 / shape)
        }
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat {
                x = normal(&generator)
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = Double.random(in: Double.ulpOfOne..<1, using: &generator)
            if log(u) < 0.5 * x * x + d - d * v + d * log(v) { return d * v }
        }
    }

    static func normal(_ generator: inout SeededGenerator) -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &generator)
        let u2 = Double.random(in: 0..<1, using: &generator)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}

/// The bandit's records on disk, so the next run starts from what this one learned. Written
/// atomically (temporary file, then rename) with owner-only permissions.
struct LearningStore: Sendable {
    let path: String

    func load() -> [ActionRecord] {
        guard let data = FileContents.read(atPath: path),
              let records = try? JSONDecoder().decode([ActionRecord].self, from: data) else { return [] }
        return records.filter { $0.successes >= 0 && $0.failures >= 0 }
    }

    func save(_ records: [ActionRecord]) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(records)
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: 0o600])
        else { throw CocoaError(.fileWriteUnknown) }
        if rename(temporary.path, url.path) != 0 {
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown)
        }
    }
}
