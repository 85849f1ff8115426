import Foundation

/// What Cybernetic's own start-up phases do. Each returns a short note for the Startup pane, or
/// throws when the engine cannot run at all.
extension Engine {
    func runBuiltIn(_ phase: StartupPlan.BuiltIn) async throws -> String {
        switch phase {
        case .core:
            let memory = configuration.memory
            return "\(configuration.phases.count) phases, \(configuration.tasks.count) tasks; pools \(memory.smallBlocks)/\(memory.mediumBlocks)/\(memory.largeBlocks) blocks"
        case .database:
            // A cache folder that cannot be used costs speed, not correctness: warn and carry on in memory.
            do {
                let usage = try executor.cache.openAndVerify()
                return "disk cache: \(usage.entries) entries, \(SizeText.format(usage.bytes))"
                    + (usage.discarded > 0 ? ", \(usage.discarded) corrupt entries removed" : "")
            } catch {
                ledger.withLock { $0.events.append(.warning, "disk cache at \(configuration.cache.directory) is not usable: \(error); memory tier only") }
                return "disk cache unusable, memory tier only"
            }
        case .pool:
            let flags = ledger.withLock { $0.revisions.flags }
            guard flags[.processPool] else { return "process_pool flag off: commands are spawned directly" }
            guard executor.processPool.isAvailable else { return "runner bootstraps not found: commands are spawned directly" }
            let runtimes = executor.runtimes(for: configuration.tasks.map(\.run.argv))
            guard !runtimes.isEmpty else { return "no task uses a warm runtime (\(configuration.processPool.runtimes.joined(separator: ", ")))" }
            let started = executor.processPool.prewarm(runtimes: runtimes)
            return "warming \(started.joined(separator: ", ")): \(configuration.processPool.min) spares each, at most \(configuration.processPool.max) processes"
        case .networking:
            // A remote tier that fails its check costs speed, not correctness: warn, and let the
            // circuit breaker keep it out of the way until the server answers.
            guard configuration.cache.remote != nil else { return "remote cache: not configured" }
            guard let (ok, note) = await executor.cache.probeRemote() else { return "remote cache: off (cache.remote_mode)" }
            if !ok { ledger.withLock { $0.events.append(.warning, note + "; local tiers only until it answers") } }
            return note
        }
    }
}
