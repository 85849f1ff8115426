/// A ratio over the last few seconds of two running counts (cache hits over lookups), rather
/// than since start: after an hour the cumulative hit rate barely moves when `command_cache` is
/// flipped, while the recent one shows the change within a window.
public struct RatioWindow: Sendable, Equatable {
    public let spanMs: Int64
    private var samples: [(atMs: Int64, hits: Int, total: Int)] = []

    public init(spanMs: Int64 = 3000) {
        self.spanMs = max(1, spanMs)
    }

    /// Records the running counts at `atMs` and returns hits over lookups since the oldest sample
    /// in the window, or nil when there were no lookups in it (no rate, rather than a fake 0%).
    public mutating func record(hits: Int, total: Int, atMs: Int64) -> Double? {
        // Counts that go backwards belong to another run: start over.
        if let last = samples.last, hits < last.hits || total < last.total || atMs < last.atMs { samples.removeAll() }
        samples.append((atMs, hits, total))
        // Keep one sample at or before the window's start as the base.
        while samples.count > 2, samples[1].atMs <= atMs - spanMs { samples.removeFirst() }
        let base = samples[0]
        let lookups = total - base.total
        return lookups > 0 ? Double(hits - base.hits) / Double(lookups) : nil
    }

    public static func == (a: RatioWindow, b: RatioWindow) -> Bool {
        a.spanMs == b.spanMs && a.samples.elementsEqual(b.samples) { $0 == $1 }
    }
}
