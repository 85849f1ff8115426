import CyberneticEngine
import Foundation
import Testing
import TestSupport

@Suite(.watchdog) struct TaskQueueTests {
    /// An engine with intake paused, started and idle, ready to take submissions.
    private func pausedEngine(_ configure: (inout Configuration) -> Void) async throws -> (Engine, Task<Void, any Error>) {
        var config = try Workload.parse("")
        config.flags[.adaptiveConcurrency] = false
        // These tests pin the queue's own mechanics; the optimizer would move the ceiling under them.
        config.flags[.selfOptimization] = false
        configure(&config)
        let engine = Engine(configuration: config)
        try await engine.perform(.pauseIntake)
        let run = Task { try await engine.run() }
        _ = try await engine.waitFor { $0.state == .idle }
        return (engine, run)
    }

    private func logging(_ name: String, _ priority: TaskPriority, to log: String) -> TaskSpec {
        var spec = TaskSpec(name: name, run: .shell("echo \(name) >> \(log)"))
        spec.priority = priority
        return spec
    }

    @Test func higherPrioritiesRunFirstAndEqualOnesInSubmissionOrder() async throws {
        let log = try temporaryDirectory().appendingPathComponent("order").path
        let (engine, run) = try await pausedEngine { $0.queue.maxConcurrency = 1 }
        let plan: [(String, TaskPriority)] = [("low1", .low), ("norm1", .normal), ("crit1", .critical), ("high1", .high),
                                              ("low2", .low), ("crit2", .critical), ("norm2", .normal), ("high2", .high)]
        for (name, priority) in plan { try await engine.perform(.submit(logging(name, priority, to: log))) }
        let queued = engine.snapshot().queue
        #expect(queued.depth == 8)
        #expect(queued.byPriority.map(\.depth) == [2, 2, 2, 2])
        try await engine.perform(.resumeIntake)
        _ = try await engine.waitFor { $0.totals.completed == 8 }
        let order = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(order == ["crit1", "crit2", "high1", "high2", "norm1", "norm2", "low1", "low2"])
        engine.stop()
        try await run.value
    }

    @Test func agingLetsLongWaitingLowPriorityWorkOvertake() async throws {
        let log = try temporaryDirectory().appendingPathComponent("order").path
        let (engine, run) = try await pausedEngine {
            $0.queue.maxConcurrency = 1
            $0.queue.aging = .milliseconds(50)
        }
        try await engine.perform(.submit(logging("old-low", .low, to: log)))
        // Three aging steps (150 ms) make the low run equal to a fresh critical one; wait longer than that.
        try await Task.sleep(for: .milliseconds(400))
        try await engine.perform(.submit(logging("new-critical", .critical, to: log)))
        try await engine.perform(.submit(logging("new-low", .low, to: log)))
        try await engine.perform(.resumeIntake)
        _ = try await engine.waitFor { $0.totals.completed == 3 }
        let order = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(order == ["old-low", "new-critical", "new-low"])
        engine.stop()
        try await run.value
    }

    @Test func theQueueRejectsAtExactlyItsCapacity() async throws {
        let (engine, run) = try await pausedEngine { $0.queue.maxSize = 3 }
        for i in 0..<3 { try await engine.perform(.submit(TaskSpec(name: "t\(i)", run: .argv(["true"])))) }
        #expect(engine.snapshot().totals.rejected == 0)
        try await engine.perform(.submit(TaskSpec(name: "one-too-many", run: .argv(["true"]))))
        let s = engine.snapshot()
        #expect(s.totals.rejected == 1)
        #expect(s.queue.depth == 3)
        #expect(s.events.contains { $0.level == .error && $0.message == "task one-too-many rejected: queue full (3 waiting)" })
        engine.stop()
        try await run.value
        let t = engine.snapshot().totals
        #expect(t.submitted == 4 && t.rejected == 1 && t.cancelled == 3)
    }

    @Test func theLimitIsNeverExceededAndCanChangeAtRunTime() async throws {
        let (engine, run) = try await pausedEngine { $0.queue.maxConcurrency = 3 }
        for i in 0..<12 { try await engine.perform(.submit(TaskSpec(name: "s\(i)", run: .argv(["sleep", "0.05"])))) }
        try await engine.perform(.resumeIntake)
        let first = try await engine.waitFor { $0.totals.completed == 12 }
        #expect(first.queue.maxInFlight == 3)

        try await engine.perform(.setConcurrency(6))
        try await engine.perform(.pauseIntake)
        for i in 0..<18 { try await engine.perform(.submit(TaskSpec(name: "w\(i)", run: .argv(["sleep", "0.2"])))) }
        try await engine.perform(.resumeIntake)
        let second = try await engine.waitFor { $0.totals.completed == 30 }
        #expect(second.queue.limit == 6)
        #expect(second.queue.maxInFlight == 6)
        #expect(second.events.contains { $0.message.contains("concurrency limit scaled to 6") })
        engine.stop()
        try await run.value
    }

    @Test func theAdaptiveFlagSwitchesTheLimiterLive() async throws {
        var config = try Workload.parse("[queue]\nmax_concurrency = 8\nlimiter = \"gradient2\"\n")
        config.flags[.adaptiveConcurrency] = false
        let engine = Engine(configuration: config)
        #expect(engine.snapshot().queue.limiter == "static")
        try await engine.perform(.setFlag("adaptive_concurrency", true))
        #expect(engine.snapshot().queue.limiter == "gradient2")
        #expect(engine.snapshot().queue.limit == 8)
        try await engine.perform(.rollback)
        #expect(engine.snapshot().queue.limiter == "static")
    }

    @Test func aTaskThatIgnoresSIGTERMAndForksIsGoneWithItsChildAfterTheTimeout() async throws {
        let dir = try temporaryDirectory()
        let config = try Workload.parse("""
        [[task]]
        name = "stubborn"
        run = "trap '' TERM; echo $$ > \(dir.path)/parent; sleep 60 & echo $! > \(dir.path)/child; while true; do sleep 1; done"
        timeout = "2s"
        """)
        let s = try await Engine(configuration: config).runUntilIdle()
        #expect(s.totals.timedOut == 1)
        for file in ["parent", "child"] {
            let pid = try #require(Int32(String(contentsOfFile: "\(dir.path)/\(file)", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(!processIsAlive(pid), "\(file) \(pid) survived")
        }
    }

    @Test func aFloodOfTwentyThousandSubmissionsIsFullyAccountedFor() async throws {
        var config = try Workload.parse("")
        config.queue.maxSize = 15_000
        config.queue.maxConcurrency = 64
        config.flags[.adaptiveConcurrency] = false
        let engine = Engine(configuration: config, snapshotsPerSecond: 20)
        try await engine.perform(.pauseIntake)
        let run = Task { try await engine.run() }
        _ = try await engine.waitFor { $0.state == .idle }
        for i in 0..<20_000 {
            var spec: TaskSpec
            switch i % 100 {
            case 0: spec = TaskSpec(name: "timeout", run: .argv(["sleep", "5"])); spec.timeout = .milliseconds(50)
            case 1...9: spec = TaskSpec(name: "fail", run: .argv(["false"]))
            default: spec = TaskSpec(name: "ok", run: .argv(["true"]))
            }
            spec.priority = TaskPriority.allCases[i % 4]
            try await engine.perform(.submit(spec))
        }
        // The queue holds 15,000; the rest were rejected at once, without blocking.
        #expect(engine.snapshot().totals.rejected == 5_000)
        try await engine.perform(.resumeIntake)
        let s = try await engine.waitFor { $0.state == .idle }
        engine.stop()
        try await run.value
        let t = s.totals
        #expect(t.submitted == 20_000)
        #expect(t.submitted == t.completed + t.failed + t.timedOut + t.rejected + t.cancelled)
        #expect(t.timedOut == 150 && t.failed == 1_350 && t.completed == 13_500)
        #expect(s.queue.maxInFlight <= 64)
        #expect(s.queue.byPriority.map(\.finished).reduce(0, +) == 15_000)
        #expect(s.tasks.map(\.runs).reduce(0, +) == 15_000)
    }
}
