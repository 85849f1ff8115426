/// A color theme in btop's vocabulary (main_bg, title, hi_fg, cpu_box, used_start, ...), so
/// btop's theme files render as they are. Values missing from a file come from the default theme.
public struct Theme: Sendable, Equatable {
    /// A theme value: a color, or "use the terminal's own" (an empty string in the file).
    public enum Value: Sendable, Equatable {
        case color(RGB)
        case terminalDefault
    }

    public var name: String
    public private(set) var values: [String: Value]

    public init(name: String, values: [String: Value]) {
        self.name = name
        self.values = values
    }

    /// The color for a btop key, or nil for the terminal's default.
    public func color(_ key: String) -> RGB? {
        if case .color(let rgb)? = values[key] { return rgb }
        return nil
    }

    /// The `<prefix>_start/_mid/_end` gradient; falls back to main_fg when the theme has no start.
    public func gradient(_ prefix: String) -> Gradient {
        Gradient(start: color(prefix + "_start") ?? fg ?? RGB(200, 200, 200),
                 mid: color(prefix + "_mid"), end: color(prefix + "_end"))
    }

    /// This theme's values laid over `base`: btop's "missing keys come from the default". A
    /// gradient is taken whole: a file that sets only `cpu_start` and `cpu_end` means a two-color
    /// gradient, not one with the default theme's `cpu_mid` in the middle.
    public func filling(from base: Theme) -> Theme {
        var merged = base.values.merging(values) { _, own in own }
        let parts = ["_start", "_mid", "_end"]
        let prefixes = Set(values.keys.compactMap { key in parts.first { key.hasSuffix($0) }.map { String(key.dropLast($0.count)) } })
        for prefix in prefixes {
            for part in parts where values[prefix + part] == nil { merged[prefix + part] = nil }
        }
        return Theme(name: name, values: merged)
    }

    // Roles the widgets use, named after btop's keys.
    public var bg: RGB? { color("main_bg") }
    public var fg: RGB? { color("main_fg") }

    public var text: Style { Style(fg: fg, bg: bg) }
    public var title: Style { Style(fg: color("title"), bg: bg, bold: true) }
    public var highlight: Style { Style(fg: color("hi_fg"), bg: bg, bold: true) }
    public var inactive: Style { Style(fg: color("inactive_fg"), bg: bg, dim: true) }
    public var graphText: Style { Style(fg: color("graph_text"), bg: bg) }
    public var selected: Style { Style(fg: color("selected_fg"), bg: color("selected_bg"), bold: true, monoReverse: true) }
    public var divider: Style { Style(fg: color("div_line"), bg: bg) }
    public var meterBackground: Style { Style(fg: color("meter_bg"), bg: bg) }
    public var ok: Style { Style(fg: color("ok_fg"), bg: bg) }
    public var warning: Style { Style(fg: color("warn_fg"), bg: bg, bold: true) }
    public var error: Style { Style(fg: color("error_fg"), bg: bg, bold: true) }

    public func box(_ key: String) -> Style { Style(fg: color(key), bg: bg) }
}
