/// The parameters the optimizer tunes, beside the flags. Every revision records them, so a
/// rollback restores exactly what ran before.
public struct Tuning: Sendable, Codable, Equatable {
    /// Ceiling on concurrent runs; an adaptive limiter moves below it.
    public var concurrency: Int
    /// Spare warm runners kept per runtime kind ("node", "python", "sh").
    public var poolMin: [String: Int]
    /// How long the memory tier of the cache keeps an entry.
    public var cacheTTLSeconds: Double

    public init(configuration: Configuration) {
        concurrency = configuration.queue.maxConcurrency
        poolMin = configuration.processPool.minByRuntime
        cacheTTLSeconds = configuration.cache.ttl.seconds
    }

    public init(concurrency: Int, poolMin: [String: Int], cacheTTLSeconds: Double) {
        self.concurrency = concurrency
        self.poolMin = poolMin
        self.cacheTTLSeconds = cacheTTLSeconds
    }

    /// Changed parameters as name → "old→new", the form decisions and revisions show.
    public func changes(to other: Tuning, defaultPoolMin: Int) -> [String: String] {
        var diff: [String: String] = [:]
        if concurrency != other.concurrency { diff["concurrency"] = "\(concurrency)→\(other.concurrency)" }
        for kind in Set(poolMin.keys).union(other.poolMin.keys).sorted() {
            let old = poolMin[kind] ?? defaultPoolMin, new = other.poolMin[kind] ?? defaultPoolMin
            if old != new { diff["pool.min[\(kind)]"] = "\(old)→\(new)" }
        }
        if cacheTTLSeconds != other.cacheTTLSeconds {
            diff["cache.ttl"] = "\(Self.format(cacheTTLSeconds))→\(Self.format(other.cacheTTLSeconds))"
        }
        return diff
    }

    public static func format(_ seconds: Double) -> String {
        seconds >= 60 && seconds.truncatingRemainder(dividingBy: 60) == 0 ? "\(Int(seconds / 60))m"
            : seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s"
    }
}
