import CyberneticEngine
import Foundation
import Testing
import TestSupport

/// The loop on the planted bottlenecks of `Examples/`: real commands, real contention, real
/// interpreters. Assertions are on what the loop decided and measured, never on wall time.
@Suite(.watchdog, .serialized) struct OptimizationLoopTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Examples")

    func example(_ name: String, in dir: URL, _ edit: (String) -> String = { $0 }) throws -> Configuration {
        let text = try String(contentsOf: Self.examples.appendingPathComponent(name), encoding: .utf8)
        let learning = """

        [cache]
        dir = "\(dir.appendingPathComponent("cache").path)"
        """
        var config = try Workload.parse(edit(text) + learning)
        config.optimizer.learningFile = dir.appendingPathComponent("learning.json").path
        return config
    }

    @Test func tooMuchConcurrencyOnALockedFileIsLoweredAndRunP95Falls() async throws {
        let dir = try temporaryDirectory()
        let config = try example("contention.toml", in: dir) {
            $0.replacingOccurrences(of: "/tmp/cybernetic-contention.lock", with: dir.appendingPathComponent("lock").path)
        }
        let engine = Engine(configuration: config)
        let running = engine.start()
        let kept = try await engine.waitFor("a kept concurrency decrease", within: .seconds(120)) { s in
            s.optimizations.decisions.contains { $0.action.hasPrefix("concurrency 16→") && $0.outcome == "kept" }
        }
        let decision = try #require(kept.optimizations.decisions.first { $0.action.hasPrefix("concurrency 16→") && $0.outcome == "kept" })
        #expect(decision.by == "optimizer")
        let effect = try #require(decision.effect)
        // "run p95 1539 ms→734 ms, ...": the figure after is lower than before.
        let figures = effect.components(separatedBy: ",")[0].components(separatedBy: "→")
        let before = Double(figures[0].filter(\.isNumber)) ?? 0, after = Double(figures[1].filter(\.isNumber)) ?? .infinity
        #expect(after < before, "\(effect)")
        #expect(kept.optimizations.tuning.concurrency < 16)
        #expect(kept.optimizations.revisions.contains { $0.by == "optimizer" && $0.parameters["concurrency"]?.hasPrefix("16→") == true })
        #expect(kept.optimizations.learning.contains { $0.action == "concurrency.down" && $0.successes >= 1 })
        engine.stop()
        try await running.value
        // What it learned is on disk for the next run.
        let saved = try Data(contentsOf: dir.appendingPathComponent("learning.json"))
        let records = try JSONDecoder().decode([ActionRecord].self, from: saved)
        #expect(records.contains { $0.action == "concurrency.down" && $0.successes >= 1 })
        let next = Engine(configuration: config)
        #expect(next.snapshot().optimizations.learning.contains { $0.action == "concurrency.down" && $0.successes >= 1 })
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/node") || ProcessInfo.processInfo.environment["CI"] != nil))
    func tooFewWarmNodeRunnersForABurstAreRaisedAndRunnerWaitFalls() async throws {
        let dir = try temporaryDirectory()
        let config = try example("burst.toml", in: dir) {
            $0.replacingOccurrences(of: "Examples/burst/work.js", with: Self.examples.appendingPathComponent("burst/work.js").path)
        }
        let engine = Engine(configuration: config)
        let running = engine.start()
        let kept = try await engine.waitFor("a kept pool.min[node] increase", within: .seconds(150)) { s in
            s.optimizations.decisions.contains { $0.action.hasPrefix("pool.min[node] 1→") && $0.outcome == "kept" }
        }
        let decision = try #require(kept.optimizations.decisions.first { $0.action.hasPrefix("pool.min[node] 1→") && $0.outcome == "kept" })
        let effect = try #require(decision.effect)
        #expect(effect.hasPrefix("runner wait p95"))
        // "runner wait p95 1509 ms→80 ms, slow waits 1.5/s→0.2/s": one of the two halved.
        func figures(_ part: String) -> (Double, Double) {
            let sides = part.components(separatedBy: "→").map { Double($0.filter { $0.isNumber || $0 == "." }) ?? 0 }
            return (sides[0], sides[1])
        }
        let parts = effect.components(separatedBy: ", ")
        let (p95Before, p95After) = figures(parts[0])
        let (slowBefore, slowAfter) = figures(parts[1])
        #expect(p95After <= p95Before / 2 || slowAfter <= slowBefore / 2, "\(effect)")
        #expect((kept.optimizations.tuning.poolMin["node"] ?? 0) > 1)
        engine.stop()
        try await running.value
    }

    @Test func aHarmfulManualChangeIsRolledBackWithinTwoWindows() async throws {
        let dir = try temporaryDirectory()
        let config = try example("harmful.toml", in: dir) {
            $0.replacingOccurrences(of: "interval = \"1s\"", with: "interval = \"500ms\"")
                .replacingOccurrences(of: "\"Examples/harmful.toml\"", with: "\"\(Self.examples.appendingPathComponent("harmful.toml").path)\"")
        }
        let engine = Engine(configuration: config)
        let running = engine.start()
        _ = try await engine.waitFor("a steady baseline from cache hits") { s in
            s.optimizations.baseline != nil && s.cache.hits >= 20 && s.optimizations.loopState == "watching"
        }
        try await engine.perform(.setFlag("command_cache", false))
        // Revision 2 in a plain run; on a slow machine the optimizer may have taken a step of its
        // own first (seen under AddressSanitizer: pool.min[node] 3→0), so the numbers are read.
        let changed = engine.snapshot().optimizations
        let manual = try #require(changed.revisions.last { $0.by == "user" }).number
        let target = changed.knownGoodRevision
        let changedAt = changed.windows
        let back = try await engine.waitFor("the rollback") { s in
            s.optimizations.decisions.contains { $0.action == "rollback to revision \(target)" }
        }
        let decision = try #require(back.optimizations.decisions.first { $0.action == "rollback to revision \(target)" })
        #expect(decision.window - changedAt <= 2, "changed in window \(changedAt), rolled back in \(decision.window)")
        #expect(decision.reason.contains("revision \(manual) by user (command_cache off)"))
        #expect(decision.reason.contains("run p95"))
        #expect(back.optimizations.flags[.commandCache] == true)
        #expect(back.optimizations.revisions.last?.by == "optimizer")
        #expect(back.optimizations.revisions.last?.note?.hasPrefix("rollback to revision \(target)") == true)
        engine.stop()
        try await running.value
    }
}
