/// One step from the optimizer's catalogue, with what it changes and why it was proposed.
struct OptimizerAction: Sendable {
    enum Kind: String, Sendable, CaseIterable {
        case concurrencyDown = "concurrency.down"
        case concurrencyUp = "concurrency.up"
        case poolMinUp = "pool.min.up"
        case poolMinDown = "pool.min.down"
        case cacheTTLUp = "cache.ttl.up"
        case cacheTTLDown = "cache.ttl.down"
        case defragment = "memory.defragment"
        case flagOn = "flag.on"
    }

    var kind: Kind
    /// "concurrency 16→8", "pool.min[node] 1→3", "defragment memory".
    var label: String
    var reason: String
    /// The setting it moves to; nil for actions that change no parameter (defragment).
    var setting: RevisionHistory.Setting?
    var runtime: String? = nil

    /// What the loop knows when it proposes: the setting in force and the bounds of each knob.
    struct Context: Sendable {
        var setting: RevisionHistory.Setting
        var minConcurrency: Int
        var maxConcurrency: Int
        var poolMax: Int
        var defaultPoolMin: Int
        var poolRuntimes: [String]
        var sparseMemory: Bool
        /// Flags that are off because the optimizer or healer switched them off.
        var flagsOffByMachine: [FeatureFlag]
        /// Windows in a row without a single run on each runtime kind.
        var idleWindows: [String: Int]
        var configuredTTL: Double
    }

    /// Every action whose symptom shows in `window`.
    static func candidates(_ window: WindowSummary, _ context: Context) -> [OptimizerAction] {
        var actions: [OptimizerAction] = []
        let tuning = context.setting.tuning
        func with(_ change: (inout Tuning) -> Void) -> RevisionHistory.Setting {
            var setting = context.setting
            change(&setting.tuning)
            return setting
        }
        let saturated = window.saturation >= 0.5
        let limit = tuning.concurrency
        if saturated && limit > context.minConcurrency {
            let next = max(context.minConcurrency, limit / 2)
            actions.append(OptimizerAction(kind: .concurrencyDown, label: "concurrency \(limit)→\(next)",
                                           reason: "runs wait for a slot \(Degradation.percent(window.saturation)) of the time, run p95 \(window.runP95.ms)",
                                           setting: with { $0.concurrency = next }))
        }
        if saturated && limit < context.maxConcurrency {
            let next = min(context.maxConcurrency, max(limit + 1, limit * 3 / 2))
            actions.append(OptimizerAction(kind: .concurrencyUp, label: "concurrency \(limit)→\(next)",
                                           reason: String(format: "backlog %@ of the time at %.1f runs/s", Degradation.percent(window.saturation), window.throughput),
                                           setting: with { $0.concurrency = next }))
        }
        for kind in context.poolRuntimes {
            let current = tuning.poolMin[kind] ?? context.defaultPoolMin
            if let wait = window.runnerWaits[kind], wait.count >= 3, wait.p95 >= 10, current < context.poolMax {
                // Room for twice the runs per second that waited: bursts come in clumps, and a
                // spare too many costs memory while a spare too few costs a whole interpreter boot.
                let next = min(context.poolMax, current + max(2, 2 * Int(wait.slowPerSecond.rounded(.up))))
                actions.append(OptimizerAction(kind: .poolMinUp, label: "pool.min[\(kind)] \(current)→\(next)",
                                               reason: "runner wait p95 \(wait.p95.ms) over \(wait.count) runs",
                                               setting: with { $0.poolMin[kind] = next }, runtime: kind))
            }
            if current > 0, (context.idleWindows[kind] ?? 0) >= 3 {
                actions.append(OptimizerAction(kind: .poolMinDown, label: "pool.min[\(kind)] \(current)→0",
                                               reason: "no \(kind) run for \(context.idleWindows[kind] ?? 0) windows",
                                               setting: with { $0.poolMin[kind] = 0 }, runtime: kind))
            }
        }
        if window.cacheExpirations > 0, tuning.cacheTTLSeconds < 3600 {
            let next = min(3600, tuning.cacheTTLSeconds * 2)
            actions.append(OptimizerAction(kind: .cacheTTLUp, label: "cache.ttl \(Tuning.format(tuning.cacheTTLSeconds))→\(Tuning.format(next))",
                                           reason: "\(window.cacheExpirations) entries expired in the window",
                                           setting: with { $0.cacheTTLSeconds = next }))
        }
        if window.cacheEvictions > 0, window.cacheExpirations == 0, tuning.cacheTTLSeconds > max(30, context.configuredTTL / 4) {
            let next = max(30, tuning.cacheTTLSeconds / 2)
            actions.append(OptimizerAction(kind: .cacheTTLDown, label: "cache.ttl \(Tuning.format(tuning.cacheTTLSeconds))→\(Tuning.format(next))",
                                           reason: "\(window.cacheEvictions) entries evicted for room while none expired",
                                           setting: with { $0.cacheTTLSeconds = next }))
        }
        if context.sparseMemory {
            actions.append(OptimizerAction(kind: .defragment, label: "defragment memory",
                                           reason: "a size class uses under half of its slabs", setting: nil))
        }
        for flag in context.flagsOffByMachine {
            var setting = context.setting
            setting.flags[flag] = true
            actions.append(OptimizerAction(kind: .flagOn, label: "\(flag.rawValue) on", reason: "switched off earlier by the machine; trying it again",
                                           setting: setting))
        }
        return actions
    }

    enum Verdict: Equatable {
        case kept(String)
        case failed(String)
        /// Not enough of the right runs yet to tell.
        case undecided
    }

    /// Did the step help? Each action has the metric it targets and guards it must not break.
    func judge(before: WindowSummary, after: WindowSummary) -> Verdict {
        let latency = "run p95 \(before.runP95.ms)→\(after.runP95.ms)"
        let rate = String(format: "throughput %.1f/s→%.1f/s", before.throughput, after.throughput)
        switch kind {
        case .concurrencyDown:
            let ok = after.runP95 <= before.runP95 * 0.8 && after.throughput >= before.throughput * 0.85
            return ok ? .kept("\(latency), \(rate)") : .failed("\(latency), \(rate)")
        case .concurrencyUp:
            // Throughput swings ±15% between windows on a busy machine: ask for more than noise.
            let ok = after.throughput >= before.throughput * 1.2 && after.runP95 <= before.runP95 * 1.25 + 10
            return ok ? .kept("\(rate), \(latency)") : .failed("\(rate), \(latency)")
        case .poolMinUp:
            guard let runtime, let old = before.runnerWaits[runtime] else { return .failed("no runner waits to compare") }
            guard let new = after.runnerWaits[runtime], new.count >= 3 else { return .undecided }
            let effect = "runner wait p95 \(old.p95.ms)→\(new.p95.ms), slow waits "
                + String(format: "%.1f/s→%.1f/s", old.slowPerSecond, new.slowPerSecond)
            return new.p95 <= old.p95 * 0.5 || new.slowPerSecond <= old.slowPerSecond * 0.5 ? .kept(effect) : .failed(effect)
        case .poolMinDown:
            guard let runtime, let new = after.runnerWaits[runtime] else { return .kept("no \(runtime ?? "") runs since") }
            let effect = "runner wait p95 \(new.p95.ms)"
            return new.p95 <= 20 ? .kept(effect) : .failed(effect)
        case .cacheTTLUp:
            let effect = "expirations \(before.cacheExpirations)→\(after.cacheExpirations)"
            let betterHits = (after.cacheHitRate ?? 0) >= (before.cacheHitRate ?? 0) + 0.05
            return after.cacheExpirations * 2 <= before.cacheExpirations || betterHits ? .kept(effect) : .failed(effect)
        case .cacheTTLDown:
            let effect = "hit rate \(Degradation.percent(before.cacheHitRate ?? 0))→\(Degradation.percent(after.cacheHitRate ?? 0))"
            return (after.cacheHitRate ?? 0) >= (before.cacheHitRate ?? 0) - 0.05 ? .kept(effect) : .failed(effect)
        case .flagOn:
            let ok = after.runP95 <= before.runP95 * 0.9 || after.throughput >= before.throughput * 1.1
            return ok ? .kept("\(latency), \(rate)") : .failed("\(latency), \(rate)")
        case .defragment:
            return .kept("")
        }
    }
}
