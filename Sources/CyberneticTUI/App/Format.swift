import Foundation

/// Number formatting shared by the panes: short, fixed-ish widths, units always shown.
enum Format {
    /// "85ms", "1.24s", "2m05s".
    static func duration(ms: Int64) -> String {
        if ms < 1000 { return "\(max(0, ms))ms" }
        if ms < 60_000 { return String(format: "%.2fs", Double(ms) / 1000) }
        return "\(ms / 60_000)m" + String(format: "%02ds", (ms / 1000) % 60)
    }

    /// Milliseconds from a percentile: "0.4", "12", "1.2k" — the unit is in the row label.
    static func ms(_ value: Double) -> String {
        if value < 10 { return String(format: "%.1f", value) }
        if value < 10_000 { return String(format: "%.0f", value) }
        return String(format: "%.1fk", value / 1000)
    }

    /// "0:01:23", or "1d 02:03:04" after a day.
    static func uptime(ms: Int64) -> String {
        let seconds = max(0, ms / 1000)
        let clock = String(format: "%d:%02d:%02d", (seconds / 3600) % 24, (seconds / 60) % 60, seconds % 60)
        return seconds >= 86_400 ? "\(seconds / 86_400)d " + clock : clock
    }

    /// "999", "12.3k", "4.5M".
    static func count(_ n: Int) -> String {
        if n < 10_000 { return "\(n)" }
        if n < 1_000_000 { return String(format: "%.1fk", Double(n) / 1000) }
        return String(format: "%.1fM", Double(n) / 1_000_000)
    }

    /// "512B", "12.3K", "4.0M" (binary units).
    static func bytes(_ n: Int) -> String {
        if n < 1024 { return "\(n)B" }
        let units = ["K", "M", "G", "T"]
        var value = Double(n) / 1024
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return String(format: value < 10 ? "%.1f" : "%.0f", value) + units[unit]
    }

    static func percent(_ fraction: Double) -> String {
        guard fraction.isFinite else { return "0%" }
        let p = fraction * 100
        return p >= 99.95 || p == 0 ? String(format: "%.0f%%", p) : String(format: "%.1f%%", p)
    }

    /// Events per second: "0.4", "12", "1.2k".
    static func rate(_ perSecond: Double) -> String {
        guard perSecond.isFinite, perSecond > 0 else { return "0" }
        if perSecond < 10 { return String(format: "%.1f", perSecond) }
        if perSecond < 10_000 { return String(format: "%.0f", perSecond) }
        return String(format: "%.1fk", perSecond / 1000)
    }
}
