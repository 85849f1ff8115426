/// A rectangle of cells: x and y from the top-left corner of the canvas.
public struct Rect: Sendable, Equatable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width <= 0 || height <= 0 }

    /// The area inside a one-cell border.
    public var inner: Rect { inset(1) }

    public func inset(_ n: Int) -> Rect {
        Rect(x: x + n, y: y + n, width: width - 2 * n, height: height - 2 * n)
    }

    /// One row of this rect, or an empty rect when `index` is outside it.
    public func row(_ index: Int) -> Rect {
        guard index >= 0, index < height else { return Rect(x: x, y: y + index, width: 0, height: 0) }
        return Rect(x: x, y: y + index, width: width, height: 1)
    }

    public func rows(from start: Int, count: Int) -> Rect {
        let top = max(0, min(start, height))
        return Rect(x: x, y: y + top, width: width, height: min(count, height - top))
    }

    public var description: String { "\(width)x\(height)+\(x)+\(y)" }
}
