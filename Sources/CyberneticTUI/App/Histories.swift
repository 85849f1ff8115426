import CyberneticEngine

/// The graphed metrics, fed one snapshot at a time.
public struct Histories: Sendable, Equatable {
    public var queueDepth = History()
    public var inFlight = History()
    /// Percent, 0...100.
    public var cacheHitRate = History()
    /// Busy share of live pool processes, percent, 0...100.
    public var poolUse = History()
    private var lastSequence: UInt64?

    public init() {}

    public mutating func record(_ snapshot: EngineSnapshot) {
        if let last = lastSequence, snapshot.sequence <= last { return }
        lastSequence = snapshot.sequence
        let t = snapshot.uptimeMs
        queueDepth.record(Double(snapshot.queue.depth), atMs: t)
        inFlight.record(Double(snapshot.queue.inFlight), atMs: t)
        cacheHitRate.record(snapshot.cache.hitRate * 100, atMs: t)
        poolUse.record(Self.poolUse(snapshot.processPool) * 100, atMs: t)
    }

    /// Busy processes over live processes (busy + warm spares), 0...1.
    public static func poolUse(_ pool: ProcessPoolSnapshot) -> Double {
        let busy = pool.runtimes.reduce(0) { $0 + $1.busy }
        let live = pool.runtimes.reduce(0) { $0 + $1.busy + $1.warm }
        return live == 0 ? 0 : Double(busy) / Double(live)
    }
}
