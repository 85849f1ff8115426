import CyberneticEngine
import Foundation
import Testing
import TestSupport

/// A/B tests through the real engine, on real commands.
@Suite(.watchdog) struct ABEngineTests {
    /// `max_duration` is the default 120 s stretched by `Sanitized.timeScale`: a sanitized run on
    /// a loaded machine has ended a test at the time limit with no sample in either arm.
    func engine(seed: Int, minSamples: Int, dir: URL) throws -> Engine {
        let text = """
        [queue]
        max_concurrency = 4
        [ab]
        min_samples = \(minSamples)
        seed = \(seed)
        max_duration = "\(Sanitized.workload(.seconds(120)))"
        [optimizer]
        learning_file = "\(dir.appendingPathComponent("learning.json").path)"
        [cache]
        dir = "\(dir.appendingPathComponent("cache").path)"
        """
        return Engine(configuration: try Workload.parse(text))
    }

    @Test func thePlantedCacheDifferenceIsFoundBetter() async throws {
        let dir = try temporaryDirectory()
        let engine = try engine(seed: 5, minSamples: 30, dir: dir)
        let running = engine.start()
        try await engine.perform(.startABTest("command_cache"))
        let input = dir.appendingPathComponent("input.txt")
        try "fixed".write(to: input, atomically: true, encoding: .utf8)
        var spec = TaskSpec(name: "deterministic", run: .shell("sleep 0.05; echo planted"))
        spec.cache = true
        spec.inputs = [input.path]
        for _ in 0..<160 { try await engine.perform(.submit(spec)) }
        let done = try await engine.waitFor("the verdict") { $0.optimizations.abTests.first?.verdict != "running" }
        let result = try #require(done.optimizations.abTests.first)
        #expect(result.verdict == "better", "\(result)")
        #expect(result.pValue < 0.01)
        #expect(result.nA >= 30 && result.nB >= 30)
        #expect(result.medianB < result.medianA)
        // The tail is noisy on a loaded machine; the interval exists and starts below zero.
        #expect((result.p95Difference?.lower ?? 0) < 0)
        #expect(done.events.contains { $0.message.contains("A/B test of command_cache: B (on) better") })
        engine.stop()
        try await running.value
    }

    @Test func aFlagThatChangesNothingShowsNoDifferenceInMostSeededRuns() async throws {
        let dir = try temporaryDirectory()
        var verdicts: [String] = []
        for seed in 1...20 {
            let engine = try engine(seed: seed, minSamples: 15, dir: dir)
            let running = engine.start()
            try await engine.perform(.startABTest("npx_fast_path"))
            var spec = TaskSpec(name: "noop", run: .argv(["true"]))
            spec.cache = false
            for _ in 0..<80 { try await engine.perform(.submit(spec)) }
            let done = try await engine.waitFor("verdict \(seed)") { $0.optimizations.abTests.first.map { $0.verdict != "running" } ?? false }
            verdicts.append(done.optimizations.abTests[0].verdict)
            engine.stop()
            try await running.value
        }
        let none = verdicts.filter { $0 == "no difference" }.count
        #expect(none >= 15, "verdicts: \(verdicts)")
    }

    @Test func onlyOneTestRunsAtATimeAndEngineWideFlagsAreRefused() async throws {
        let dir = try temporaryDirectory()
        let engine = try engine(seed: 1, minSamples: 10, dir: dir)
        try await engine.perform(.startABTest("command_cache"))
        await #expect(throws: EngineError.self) { try await engine.perform(.startABTest("memory_pool")) }
        await #expect(throws: EngineError.self) { try await engine.perform(.startABTest("adaptive_concurrency")) }
        await #expect(throws: EngineError.unknownFlag("nope")) { try await engine.perform(.startABTest("nope")) }
        #expect(engine.snapshot().optimizations.abTests.map(\.verdict) == ["running"])
    }
}
