/// Which limit runs the queue: the static one while `adaptive_concurrency` is off, the workload's
/// adaptive algorithm while it is on. A switch carries the current limit over, so flipping the flag
/// never makes the system jump.
enum Limiters {
    static func make(adaptive: Bool, settings: QueueSettings, startingAt current: Int? = nil) -> any ConcurrencyLimit {
        let start = current ?? settings.maxConcurrency
        guard adaptive else { return StaticLimit(limit: current ?? settings.maxConcurrency) }
        switch settings.limiter {
        case .aimd:
            return AIMDLimit(initial: start, min: settings.minConcurrency, max: settings.maxConcurrency)
        case .gradient2:
            return Gradient2Limit(initial: start, min: settings.minConcurrency, max: settings.maxConcurrency)
        }
    }
}
