/// One metric over time, sampled from the snapshots the TUI receives (the engine keeps no
/// history, and a graph is a front-end concern). Samples fall in fixed buckets of engine
/// uptime, keeping the highest value of a bucket, so a short spike between two frames still
/// shows and the graph's time axis does not depend on how often snapshots arrive.
public struct History: Sendable, Equatable {
    public let capacity: Int
    public let bucketMs: Int64
    public private(set) var values: [Double] = []
    private var lastBucket: Int64?

    public init(capacity: Int = 480, bucketMs: Int64 = 250) {
        self.capacity = max(1, capacity)
        self.bucketMs = max(1, bucketMs)
    }

    public mutating func record(_ value: Double, atMs: Int64) {
        let value = value.isFinite ? value : 0
        let bucket = atMs / bucketMs
        guard let last = lastBucket else {
            values.append(value)
            lastBucket = bucket
            return
        }
        if bucket == last {
            values[values.count - 1] = max(values[values.count - 1], value)
            return
        }
        guard bucket > last else { return }
        // Buckets without a snapshot (a stalled frame) repeat the value they lead to.
        let gap = min(Int(bucket - last), capacity)
        values.append(contentsOf: repeatElement(value, count: gap))
        lastBucket = bucket
        if values.count > capacity { values.removeFirst(values.count - capacity) }
    }

    public var latest: Double { values.last ?? 0 }

    /// The highest of the newest `count` samples: graphs scale to what they show.
    public func peak(last count: Int) -> Double { values.suffix(max(0, count)).max() ?? 0 }
}
