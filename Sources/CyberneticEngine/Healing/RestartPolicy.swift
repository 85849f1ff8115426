import Foundation

/// How a supervisor answers a crash, after Erlang/OTP's restart intensity: restart, but at most
/// `maxRestarts` times within `period`; wait before each restart, twice as long as before
/// (`backoffBase`, doubling to `backoffCap`), so a crash loop does not burn the machine; forget
/// the streak once nothing has crashed for `quietPeriod`. Past the intensity the supervisor gives
/// up (a service) or opens a circuit (a warm runtime) for `coolDown` before trying one more time.
public struct RestartPolicy: Sendable, Equatable {
    public var maxRestarts: Int
    public var period: Duration
    public var backoffBase: Duration
    public var backoffCap: Duration
    public var quietPeriod: Duration
    public var coolDown: Duration

    public init(maxRestarts: Int = 5, period: Duration = .seconds(10), backoffBase: Duration = .milliseconds(100),
                backoffCap: Duration = .seconds(5), quietPeriod: Duration = .seconds(10), coolDown: Duration = .seconds(10)) {
        self.maxRestarts = max(0, maxRestarts)
        self.period = period
        self.backoffBase = backoffBase
        self.backoffCap = max(backoffBase, backoffCap)
        self.quietPeriod = quietPeriod
        self.coolDown = coolDown
    }

    /// The wait before the `streak`-th restart in a row (1-based): base, 2·base, 4·base, ... ≤ cap.
    public func backoff(streak: Int) -> Duration {
        guard streak > 1 else { return backoffBase }
        var delay = backoffBase
        for _ in 1..<streak {
            delay = delay * 2
            if delay >= backoffCap { return backoffCap }
        }
        return delay
    }

    /// "5 in 10 s", for reasons.
    var intensityText: String { "\(maxRestarts) in \(DurationText.format(period))" }
}

/// One supervised subject's crash history under a `RestartPolicy`.
struct RestartTracker: Sendable {
    enum Decision: Sendable, Equatable {
        /// Restart after `delay`; `count` crashes fall within the period now.
        case restart(after: Duration, count: Int)
        /// More than `maxRestarts` crashes within the period.
        case exceeded(count: Int)
    }

    let policy: RestartPolicy
    private(set) var crashes: [ContinuousClock.Instant] = []
    private(set) var streak = 0
    /// Restarts decided so far (for statistics).
    private(set) var restarts = 0

    init(policy: RestartPolicy) { self.policy = policy }

    mutating func crashed(at now: ContinuousClock.Instant) -> Decision {
        if let last = crashes.last, now - last >= policy.quietPeriod { streak = 0 }
        crashes = crashes.filter { now - $0 < policy.period } + [now]
        guard crashes.count <= policy.maxRestarts else { return .exceeded(count: crashes.count) }
        streak += 1
        restarts += 1
        return .restart(after: policy.backoff(streak: streak), count: crashes.count)
    }

    /// Starts over (a circuit closed again after a successful probe).
    mutating func reset() {
        crashes = []
        streak = 0
    }
}
