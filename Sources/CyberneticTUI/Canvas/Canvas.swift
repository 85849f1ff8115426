import CNCurses

/// A grid of styled cells. Every widget draws here and never touches the terminal, so a frame
/// can be built and inspected in a test exactly as it would appear; the ncurses backend copies
/// it to the screen once per frame.
public struct Canvas: Sendable {
    public struct Cell: Sendable, Equatable {
        /// The character shown, or nil for the right half of a double-width character.
        public var character: Character?
        public var style: Style
    }

    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int, fill: Style = .plain) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: Cell(character: " ", style: fill), count: self.width * self.height)
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        cells[y * width + x]
    }

    /// Sets one cell; anything outside the canvas or the clip rect is dropped, so widgets never
    /// need to check bounds themselves.
    public mutating func put(_ character: Character, x: Int, y: Int, style: Style, clip: Rect? = nil) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        if let clip, x < clip.x || x >= clip.maxX || y < clip.y || y >= clip.maxY { return }
        cells[y * width + x] = Cell(character: character, style: style)
    }

    public mutating func fill(_ rect: Rect, with character: Character = " ", style: Style) {
        for y in rect.y..<max(rect.y, rect.maxY) {
            for x in rect.x..<max(rect.x, rect.maxX) {
                put(character, x: x, y: y, style: style)
            }
        }
    }

    /// Writes text from (x, y), at most `maxWidth` columns; returns the columns used. Double-width
    /// characters take two cells, zero-width ones are dropped, and text that does not fit ends
    /// in `…` rather than being cut mid-word without notice.
    @discardableResult
    public mutating func text(_ string: String, x: Int, y: Int, style: Style, maxWidth: Int? = nil,
                              ellipsis: Character = "…") -> Int {
        let limit = maxWidth ?? (width - x)
        guard limit > 0 else { return 0 }
        let total = Canvas.displayWidth(string)
        var column = 0
        for character in string {
            let w = Canvas.displayWidth(character)
            if w == 0 { continue }
            if total > limit, column + w > limit - 1 {
                put(ellipsis, x: x + column, y: y, style: style)
                return column + 1
            }
            if column + w > limit { break }
            put(character, x: x + column, y: y, style: style)
            if w == 2 {
                guard x + column + 1 >= 0, x + column + 1 < width, y >= 0, y < height else { column += w; continue }
                cells[y * width + x + column + 1] = Cell(character: nil, style: style)
            }
            column += w
        }
        return column
    }

    /// Columns a string takes on a terminal.
    public static func displayWidth(_ string: String) -> Int {
        string.reduce(0) { $0 + displayWidth($1) }
    }

    static func displayWidth(_ character: Character) -> Int {
        guard let scalar = character.unicodeScalars.first else { return 0 }
        if scalar.isASCII { return scalar.value < 0x20 || scalar.value == 0x7F ? 0 : 1 }
        let w = cn_wcwidth(scalar.value)
        return w < 0 ? 1 : Int(w)
    }

    /// The canvas as plain text, one line per row, trailing spaces removed: what tests read.
    public var plainText: String {
        (0..<height).map { line($0) }.joined(separator: "\n")
    }

    public func line(_ y: Int) -> String {
        var out = ""
        for x in 0..<width {
            if let c = self[x, y].character { out.append(c) }
        }
        while out.last == " " { out.removeLast() }
        return out
    }
}
