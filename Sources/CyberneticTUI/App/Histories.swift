import CyberneticEngine

/// The graphed metrics, fed one snapshot at a time.
public struct Histories: Sendable, Equatable {
    public var queueDepth = History()
    public var inFlight = History()
    /// Hit rate of the last few seconds of lookups, percent, 0...100 (0 while nothing is looked up).
    public var cacheHitRate = History()
    /// The same per cache tier, by tier name.
    public var cacheTierHitRate: [String: History] = [:]
    /// The newest recent hit rates; nil when there were no lookups in the window.
    public private(set) var recentCacheHitRate: Double?
    public private(set) var recentTierHitRate: [String: Double] = [:]
    /// Busy share of live pool processes, percent, 0...100.
    public var poolUse = History()
    private var lastSequence: UInt64?
    private var cacheWindow = RatioWindow()
    private var tierWindows: [String: RatioWindow] = [:]

    public init() {}

    public mutating func record(_ snapshot: EngineSnapshot) {
        if let last = lastSequence, snapshot.sequence <= last { return }
        lastSequence = snapshot.sequence
        let t = snapshot.uptimeMs
        queueDepth.record(Double(snapshot.queue.depth), atMs: t)
        inFlight.record(Double(snapshot.queue.inFlight), atMs: t)
        let cache = snapshot.cache
        recentCacheHitRate = cacheWindow.record(hits: cache.hits, total: cache.hits + cache.misses, atMs: t)
        cacheHitRate.record((recentCacheHitRate ?? 0) * 100, atMs: t)
        for tier in cache.tiers {
            let rate = tierWindows[tier.name, default: RatioWindow()].record(hits: tier.hits, total: tier.hits + tier.misses, atMs: t)
            recentTierHitRate[tier.name] = rate
            cacheTierHitRate[tier.name, default: History()].record((rate ?? 0) * 100, atMs: t)
        }
        poolUse.record(Self.poolUse(snapshot.processPool) * 100, atMs: t)
    }

    /// Busy processes over live processes (busy + warm spares), 0...1.
    public static func poolUse(_ pool: ProcessPoolSnapshot) -> Double {
        let busy = pool.runtimes.reduce(0) { $0 + $1.busy }
        let live = pool.runtimes.reduce(0) { $0 + $1.busy + $1.warm }
        return live == 0 ? 0 : Double(busy) / Double(live)
    }
}
