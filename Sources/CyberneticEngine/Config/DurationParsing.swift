/// Parses the workload file's duration strings: "250ms", "30s", "5m", "1h", also "1.5s" and "1m30s".
public enum DurationText {
    static let maxMilliseconds = 1e15

    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { return nil }
        var total: Duration = .zero
        var rest = Substring(trimmed)
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number), value.isFinite else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count)
            let scale: Double
            switch unit {
            case "ms": scale = 0.001
            case "s": scale = 1
            case "m": scale = 60
            case "h": scale = 3600
            default: return nil
            }
            // Past about 30,000 years a number is not a duration anyone means; refusing it here keeps
            // the conversion below from trapping on a value beyond Int64 (found by fuzzing).
            let ms = (value * scale * 1000).rounded()
            guard ms <= maxMilliseconds else { return nil }
            total += .milliseconds(Int64(ms))
            guard total <= .milliseconds(Int64(maxMilliseconds)) else { return nil }
        }
        return total
    }

    /// The shortest faithful rendering: "250ms", "30s", "5m", "1m30s".
    public static func format(_ duration: Duration) -> String {
        let ms = duration.milliseconds
        if ms < 1000 || ms % 1000 != 0 { return ms % 1000 == 0 || ms < 1000 ? "\(ms)ms" : String(format1(Double(ms) / 1000)) + "s" }
        let seconds = ms / 1000
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        if seconds > 60 { return "\(seconds / 60)m\(seconds % 60)s" }
        return "\(seconds)s"
    }

    private static func format1(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}

extension Duration {
    /// Whole milliseconds, truncated.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

extension String {
    func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}

/// Byte sizes as the workload file writes them: "512KiB", "16MiB", "1GiB", "100MB", or a plain number.
public enum SizeText {
    public static func parse(_ text: String) -> Int? {
        let trimmed = text.trimmingWhitespace()
        let number = trimmed.prefix { $0.isNumber || $0 == "." }
        guard let value = Double(number), value >= 0 else { return nil }
        let kib = 1024.0
        let units: [String: Double] = ["": 1, "B": 1, "K": kib, "KiB": kib, "M": kib * kib, "MiB": kib * kib,
                                       "G": kib * kib * kib, "GiB": kib * kib * kib, "TiB": kib * kib * kib * kib,
                                       "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12]
        guard let scale = units[String(trimmed.dropFirst(number.count)).trimmingWhitespace()] else { return nil }
        let bytes = value * scale
        return bytes < Double(Int.max) ? Int(bytes) : nil
    }

    public static func format(_ bytes: Int) -> String {
        let units = [(1 << 40, "TiB"), (1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
        for (size, name) in units where bytes >= size && bytes % size == 0 { return "\(bytes / size)\(name)" }
        for (size, name) in units where bytes >= size {
            let tenths = Int((Double(bytes) / Double(size) * 10).rounded())
            return "\(tenths / 10).\(tenths % 10)\(name)"
        }
        return "\(bytes)B"
    }
}
