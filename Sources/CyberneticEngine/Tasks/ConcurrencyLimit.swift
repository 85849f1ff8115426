/// Decides how many runs may be in flight. The queue asks for `limit` before every grant and
/// reports every finished run, so an adaptive limit learns from latency and failures.
public protocol ConcurrencyLimit: Sendable {
    /// Shown in the Queue pane and the report: "static", "aimd", "gradient2".
    var name: String { get }
    var limit: Int { get }
    /// A run finished after `rtt`, with `inFlight` runs in flight when it started to finish;
    /// `dropped` is true for a timeout or failure (the overload signal).
    mutating func onSample(rtt: Duration, inFlight: Int, dropped: Bool)
    /// Sets the limit by hand (the user's `scale(to:)`); adaptive limits carry on from there.
    mutating func scale(to limit: Int)
}

/// A fixed limit, changed only by `scale(to:)`.
public struct StaticLimit: ConcurrencyLimit {
    public private(set) var limit: Int
    public var name: String { "static" }

    public init(limit: Int) { self.limit = max(1, limit) }

    public mutating func onSample(rtt: Duration, inFlight: Int, dropped: Bool) {}
    public mutating func scale(to limit: Int) { self.limit = max(1, limit) }
}

/// Additive increase, multiplicative decrease, as Netflix concurrency-limits' AIMDLimit:
/// on a drop the limit is multiplied by `backoff` (0.9); otherwise it grows by one whenever the
/// system is actually using at least half of it (growing an unused limit would prove nothing).
public struct AIMDLimit: ConcurrencyLimit {
    public private(set) var limit: Int
    public let minLimit: Int
    public let maxLimit: Int
    public let backoff: Double
    public var name: String { "aimd" }

    public init(initial: Int, min minLimit: Int = 1, max maxLimit: Int, backoff: Double = 0.9) {
        self.minLimit = max(1, minLimit)
        self.maxLimit = max(self.minLimit, maxLimit)
        self.backoff = backoff
        limit = Swift.min(Swift.max(initial, self.minLimit), self.maxLimit)
    }

    public mutating func onSample(rtt: Duration, inFlight: Int, dropped: Bool) {
        if dropped {
            limit = Swift.max(minLimit, Int((Double(limit) * backoff).rounded(.down)))
        } else if inFlight * 2 >= limit {
            limit = Swift.min(maxLimit, limit + 1)
        }
    }

    public mutating func scale(to limit: Int) {
        self.limit = Swift.min(Swift.max(limit, minLimit), maxLimit)
    }
}

/// Netflix concurrency-limits' Gradient2Limit: compares a long-window average of latency with the
/// latest sample. While latency holds, the limit grows by a queue allowance (√limit); when short
/// latency rises above the long average (× tolerance) the limit shrinks in proportion, at most halving
/// per step. Smoothing keeps one noisy sample from swinging it.
public struct Gradient2Limit: ConcurrencyLimit {
    public private(set) var estimate: Double
    public let minLimit: Int
    public let maxLimit: Int
    public let tolerance: Double
    public let smoothing: Double
    public private(set) var longRtt: Double = 0
    private var samples = 0
    private let window: Double
    private let warmup: Int
    public var name: String { "gradient2" }
    public var limit: Int { Int(estimate) }

    public init(initial: Int, min minLimit: Int = 1, max maxLimit: Int, tolerance: Double = 1.5,
                smoothing: Double = 0.2, window: Int = 600, warmup: Int = 10) {
        self.minLimit = max(1, minLimit)
        self.maxLimit = max(self.minLimit, maxLimit)
        self.tolerance = tolerance
        self.smoothing = smoothing
        self.window = Double(window)
        self.warmup = warmup
        estimate = Double(Swift.min(Swift.max(initial, self.minLimit), self.maxLimit))
    }

    public mutating func onSample(rtt: Duration, inFlight: Int, dropped: Bool) {
        let shortRtt = max(rtt.seconds, 1e-9)
        // Long average: plain mean during warm-up, then an exponential average over `window` samples.
        samples += 1
        if samples <= warmup {
            longRtt += (shortRtt - longRtt) / Double(samples)
        } else {
            longRtt += (shortRtt - longRtt) * (2 / (window + 1))
        }
        let long = longRtt
        // After a sustained fall in latency, let the long average drift down to meet it.
        if long / shortRtt > 2 { longRtt *= 0.95 }
        // App-limited: with so little in flight, latency says nothing about the limit.
        if Double(inFlight) < estimate / 2 { return }
        let gradient = max(0.5, min(1.0, tolerance * long / shortRtt))
        let queueSize = estimate.squareRoot()
        var next = estimate * gradient + queueSize
        next = estimate * (1 - smoothing) + next * smoothing
        estimate = min(Double(maxLimit), max(Double(minLimit), next))
    }

    public mutating func scale(to limit: Int) {
        estimate = Double(min(max(limit, minLimit), maxLimit))
    }
}
