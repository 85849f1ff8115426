/// How many colors reach the screen. Chosen once from the terminal's capabilities and the
/// environment; every RGB in the canvas is mapped down to it.
public enum ColorMode: Sendable, Equatable {
    /// No colors (a monochrome terminal, or NO_COLOR): attributes only.
    case none
    case ansi8
    case ansi16
    case ansi256
    /// 24-bit color through a direct-color terminfo entry (COLORS = 2^24).
    case direct

    /// `NO_COLOR` wins when set to anything non-empty (no-color.org); otherwise the terminal's
    /// color count decides.
    public static func detect(hasColors: Bool, colors: Int, environment: [String: String]) -> ColorMode {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return .none }
        guard hasColors else { return .none }
        if colors >= 1 << 24 { return .direct }
        if colors >= 256 { return .ansi256 }
        if colors >= 16 { return .ansi16 }
        if colors >= 8 { return .ansi8 }
        return .none
    }

    /// The terminal color number for an RGB, or -1 for the terminal's default color.
    public func index(for color: RGB?) -> Int32 {
        guard let color else { return -1 }
        switch self {
        case .none: return -1
        case .direct: return Int32(color.r) << 16 | Int32(color.g) << 8 | Int32(color.b)
        case .ansi256: return Int32(Self.nearest256(color))
        case .ansi16: return Int32(Self.nearest(color, in: Self.ansiPalette))
        case .ansi8: return Int32(Self.nearest(color, in: Array(Self.ansiPalette.prefix(8))))
        }
    }

    /// xterm's default values for the 16 ANSI colors; real terminals differ a little, which is
    /// why 16-color mode only ever picks the nearest of these.
    static let ansiPalette: [RGB] = [
        RGB(0, 0, 0), RGB(205, 0, 0), RGB(0, 205, 0), RGB(205, 205, 0), RGB(0, 0, 238), RGB(205, 0, 205),
        RGB(0, 205, 205), RGB(229, 229, 229), RGB(127, 127, 127), RGB(255, 0, 0), RGB(0, 255, 0),
        RGB(255, 255, 0), RGB(92, 92, 255), RGB(255, 0, 255), RGB(0, 255, 255), RGB(255, 255, 255),
    ]

    static func distance(_ a: RGB, _ b: RGB) -> Int {
        let dr = Int(a.r) - Int(b.r), dg = Int(a.g) - Int(b.g), db = Int(a.b) - Int(b.b)
        // Weighted for the eye's sensitivity to green, cheaply.
        return 3 * dr * dr + 4 * dg * dg + 2 * db * db
    }

    static func nearest(_ color: RGB, in palette: [RGB]) -> Int {
        palette.indices.min { distance(color, palette[$0]) < distance(color, palette[$1]) } ?? 0
    }

    /// The nearest entry of the 6x6x6 cube (16–231) or the grey ramp (232–255). The first 16 are
    /// skipped: users redefine them, so they are not reliable as RGB.
    static func nearest256(_ color: RGB) -> Int {
        let levels = [0, 95, 135, 175, 215, 255]
        func step(_ v: UInt8) -> Int { levels.indices.min { abs(levels[$0] - Int(v)) < abs(levels[$1] - Int(v)) }! }
        let (r, g, b) = (step(color.r), step(color.g), step(color.b))
        let cube = RGB(UInt8(levels[r]), UInt8(levels[g]), UInt8(levels[b]))
        let average = (Int(color.r) + Int(color.g) + Int(color.b)) / 3
        let greyIndex = min(23, max(0, (average - 3) / 10))
        let greyValue = UInt8(8 + greyIndex * 10)
        let grey = RGB(greyValue, greyValue, greyValue)
        return distance(color, grey) < distance(color, cube) ? 232 + greyIndex : 16 + 36 * r + 6 * g + b
    }
}
