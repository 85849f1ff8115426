@testable import CyberneticEngine
import Foundation
import Testing
import TestSupport

@Suite(.watchdog) struct RevisionTests {
    func workload(_ extra: String = "", learning: URL) -> String {
        """
        [optimizer]
        interval = "200ms"
        validation_window = "600ms"
        min_samples = 2
        learning_file = "\(learning.path)"
        [flags]
        self_optimization = false
        \(extra)
        [[task]]
        name = "tick"
        run = ["true"]
        every = "20ms"
        cache = false
        """
    }

    @Test func aRevisionBecomesKnownGoodAfterHoldingItsWindow() async throws {
        let dir = try temporaryDirectory()
        let engine = Engine(configuration: try Workload.parse(workload(learning: dir.appendingPathComponent("l.json"))))
        let running = engine.start()
        _ = try await engine.waitFor("the first window") { $0.optimizations.windows >= 1 }
        try await engine.perform(.setFlag("memory_pool", false))
        let changed = engine.snapshot()
        #expect(changed.optimizations.revision == 2)
        #expect(changed.optimizations.knownGoodRevision == 1)
        #expect(changed.optimizations.loopState.contains("validating revision 2"))
        let promoted = try await engine.waitFor("promotion") { $0.optimizations.knownGoodRevision == 2 }
        #expect(promoted.events.contains { $0.message.contains("revision 2 is known-good") })
        engine.stop()
        try await running.value
    }

    @Test func rollbackRestoresTheExactFlagsAndParameters() async throws {
        let dir = try temporaryDirectory()
        var config = try Workload.parse(workload(learning: dir.appendingPathComponent("l.json")))
        config.optimizer.validationWindow = .seconds(3600)
        config.flags[.adaptiveConcurrency] = false
        let engine = Engine(configuration: config)
        let running = engine.start()
        let initial = engine.snapshot().optimizations
        try await engine.perform(.setFlag("command_cache", false))
        try await engine.perform(.setConcurrency(5))
        try await engine.perform(.setFlag("process_pool", false))
        let changed = engine.snapshot()
        #expect(changed.optimizations.revision == 4)
        #expect(changed.optimizations.tuning.concurrency == 5)
        #expect(changed.queue.limit == 5)
        #expect(changed.optimizations.revisions.last?.by == "user")
        #expect(changed.optimizations.revisions[2].parameters == ["concurrency": "100→5"])
        try await engine.perform(.rollback)
        let back = engine.snapshot()
        #expect(back.optimizations.flags == initial.flags)
        #expect(back.optimizations.tuning == initial.tuning)
        #expect(back.queue.limit == 100)
        #expect(back.optimizations.revision == 5)
        #expect(back.optimizations.revisions.last?.note == "rollback to revision 1")
        engine.stop()
        try await running.value
    }

    @Test func aDegradingChangeIsOnlyReportedWhileSelfOptimizationIsOff() async throws {
        let dir = try temporaryDirectory()
        // Declared inputs: without them the key would fingerprint the git tree on every run.
        let input = dir.appendingPathComponent("input.txt")
        try "fixed".write(to: input, atomically: true, encoding: .utf8)
        let text = """
        [optimizer]
        interval = "300ms"
        validation_window = "1h"
        min_samples = 3
        learning_file = "\(dir.appendingPathComponent("l.json").path)"
        [cache]
        dir = "\(dir.appendingPathComponent("cache").path)"
        [flags]
        self_optimization = false
        [[task]]
        name = "slow"
        run = "sleep 0.15; echo same"
        every = "20ms"
        inputs = ["\(input.path)"]
        """
        let engine = Engine(configuration: try Workload.parse(text))
        let running = engine.start()
        _ = try await engine.waitFor("a baseline window") { $0.optimizations.baseline != nil && $0.cache.hits > 5 }
        try await engine.perform(.setFlag("command_cache", false))
        let warned = try await engine.waitFor("a degradation warning") { s in
            s.events.contains { $0.message.contains("degraded") && $0.message.contains("press r") }
        }
        #expect(warned.optimizations.flags[.commandCache] == false)
        #expect(warned.optimizations.revisions.allSatisfy { $0.by == "user" })
        engine.stop()
        try await running.value
    }

    /// A person's change while an optimizer trial still waits for its verdict: the trial ends as
    /// superseded, and the person's revision is validated and promoted like any other. The trial
    /// used to stay open with nothing judging it, which kept the loop from acting and from ever
    /// promoting a revision again (under a sanitizer's slowdown the optimizer's step came first).
    @Test func aChangeByAPersonDuringATrialSupersedesItAndIsValidatedItself() throws {
        let config = try Workload.parse(workload(learning: URL(fileURLWithPath: "/nonexistent/l.json")))
        var ledger = Ledger(configuration: config)
        let steady = Self.window(runs: 20, ms: 10, from: 0)
        var tuning = ledger.revisions.tuning
        tuning.concurrency = 50
        let step = OptimizerAction(kind: .concurrencyDown, label: "concurrency 100→50", reason: "planted",
                                   setting: .init(flags: ledger.revisions.flags, tuning: tuning))
        let applied = ledger.revisions.apply(tuning, by: "optimizer")
        let trial = try #require(applied)
        ledger.optimizer.trial = .init(action: step, revision: trial.number, previous: 1, before: steady)
        ledger.startValidation(of: trial.number, at: 0, baseline: steady)

        var flags = ledger.revisions.flags
        flags[.memoryPool] = false
        let changed = ledger.revisions.apply(flags, by: "user")
        let mine = try #require(changed)
        ledger.userChanged(to: mine.number, at: 1)
        #expect(ledger.optimizer.trial == nil)
        let superseded = try #require(ledger.optimizer.decisions.last)
        #expect(superseded.action == "concurrency 100→50" && superseded.outcome == "superseded" && superseded.revision == trial.number)

        for now in [2.0, 3.0] {
            _ = ledger.judge(Self.window(runs: 20, ms: 10, from: now - 1), context: Self.context(ledger), now: now,
                             selfOptimizing: true, minSamples: 2, validationWindow: 0.6)
        }
        #expect(ledger.revisions.knownGood == mine.number)
        #expect(ledger.optimizer.validation == nil, "the loop is free to act again")
    }

    static func window(runs: Int, ms: Double, from start: Double) -> WindowSummary {
        var window = MetricsWindow(startedAt: start)
        for _ in 0..<runs { window.record(runMs: ms, waitMs: 0, began: start, failed: false, cacheHit: nil) }
        return WindowSummary(window, endedAt: start + 1)
    }

    static func context(_ ledger: Ledger) -> OptimizerAction.Context {
        OptimizerAction.Context(setting: .init(flags: ledger.revisions.flags, tuning: ledger.revisions.tuning),
                                minConcurrency: 1, maxConcurrency: 100, poolMax: 10, defaultPoolMin: 3, poolRuntimes: [],
                                sparseMemory: false, flagsOffByMachine: [], idleWindows: [:], configuredTTL: 300)
    }
}

@Suite(.watchdog) struct LearningStoreTests {
    @Test func recordsSurviveAWriteAndAFailingStoreIsSwitchedOff() async throws {
        let dir = try temporaryDirectory()
        let store = LearningStore(path: dir.appendingPathComponent("state/learning.json").path)
        try store.save([ActionRecord(action: "concurrency.down", successes: 3, failures: 1)])
        #expect(store.load() == [ActionRecord(action: "concurrency.down", successes: 3, failures: 1)])
        let attributes = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("state").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o700)
        // A corrupt file is no history, not a crash.
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: store.path))
        #expect(store.load().isEmpty)
        // A path that cannot be written: a regular file where the folder should be.
        let blocker = dir.appendingPathComponent("blocker")
        try Data().write(to: blocker)
        #expect(throws: (any Error).self) { try LearningStore(path: blocker.appendingPathComponent("l.json").path).save([]) }
    }
}
