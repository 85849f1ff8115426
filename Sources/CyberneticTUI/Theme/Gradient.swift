/// A btop gradient: start, optional mid, optional end. Meters color each cell by its position and
/// graphs each row by its height, so a fuller meter or a taller graph reaches the "hot" end.
public struct Gradient: Sendable, Equatable {
    public var start: RGB
    public var mid: RGB?
    public var end: RGB?

    public init(start: RGB, mid: RGB? = nil, end: RGB? = nil) {
        self.start = start
        self.mid = mid
        self.end = end
    }

    /// The color at `t` in 0...1. With only a start the gradient is one color (btop's rule for an
    /// empty mid and end); with start and end it blends the two.
    public func at(_ t: Double) -> RGB {
        let t = t.isFinite ? min(max(t, 0), 1) : 0
        switch (mid, end) {
        case (nil, nil): return start
        case (let mid?, nil): return start.mixed(with: mid, t)
        case (nil, let end?): return start.mixed(with: end, t)
        case (let mid?, let end?):
            return t < 0.5 ? start.mixed(with: mid, t * 2) : mid.mixed(with: end, (t - 0.5) * 2)
        }
    }
}
