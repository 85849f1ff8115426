@testable import CyberneticEngine
import Foundation
import Testing
import TestSupport

/// Runs waiting in the queue are data (`QueuedRun`), not suspended tasks: these tests hold the
/// accounting to the same promises as before — every run of a task finishes exactly once, in
/// priority order, and the queue drains to nothing — with a full line of 10,000.
@Suite(.watchdog) struct QueuedRunsTests {
    private func workload(count: Int, run: String, concurrency: Int) throws -> Configuration {
        let dir = try temporaryDirectory()
        try Data("input".utf8).write(to: dir.appendingPathComponent("input"))
        var config = try Workload.parse("""
        [queue]
        max_concurrency = \(concurrency)

        [cache]
        dir = "\(dir.path)/cache"

        [[task]]
        name = "many"
        run = \(run)
        count = \(count)
        inputs = ["\(dir.path)/input"]
        """)
        config.flags[.adaptiveConcurrency] = false
        config.flags[.selfOptimization] = false
        return config
    }

    @Test func tenThousandQueuedRunsOfOneTaskEachFinishExactlyOnce() async throws {
        let engine = Engine(configuration: try workload(count: 10_000, run: "[\"true\"]", concurrency: 8))
        try await engine.perform(.pauseIntake)
        let run = engine.start()
        // Generous limits throughout: in a full test run on a loaded machine the engine's start-up
        // alone has taken minutes; only a broken queue never gets there.
        let queued = try await engine.waitFor("10,000 runs in line", within: .seconds(600)) { $0.totals.submitted == 10_000 }
        #expect(queued.queue.depth == 10_000)
        #expect(queued.queue.inFlight == 0)
        #expect(queued.state == .running, "a full queue is work to do, not idle")
        try await engine.perform(.resumeIntake)
        let done = try await engine.waitFor("the queue to drain", within: .seconds(600)) { $0.state == .idle }
        engine.stop()
        try await run.value
        let t = done.totals
        #expect(t.submitted == 10_000 && t.completed == 10_000)
        #expect(t.failed + t.timedOut + t.rejected + t.cancelled == 0)
        let task = try #require(done.tasks.first { $0.name == "many" })
        #expect(task.runs == 10_000 && task.running == 0)
        #expect(done.queue.depth == 0 && done.queue.inFlight == 0)
        #expect(done.queue.maxDepth == 10_000)
        #expect(done.queue.maxInFlight <= 8)
        #expect(done.queue.byPriority.map(\.finished) == [0, 10_000, 0, 0])
        #expect(engine.snapshot().totals == t, "nothing more is counted once the run is over")
    }

    @Test func stoppingWithTenThousandQueuedRunsCancelsEachExactlyOnce() async throws {
        let engine = Engine(configuration: try workload(count: 10_000, run: "[\"sleep\", \"60\"]", concurrency: 2))
        let run = engine.start()
        let full = try await engine.waitFor("two running, the rest in line", within: .seconds(600)) {
            $0.queue.inFlight == 2 && $0.queue.depth == 9_998 && $0.tasks.first?.running == 2
        }
        #expect(full.totals.submitted == 10_000)
        engine.stop()
        try await run.value
        let s = engine.snapshot()
        #expect(s.totals.submitted == 10_000)
        #expect(s.totals.cancelled == 10_000, "\(s.totals)")
        #expect(s.totals.completed + s.totals.failed + s.totals.timedOut + s.totals.rejected == 0)
        #expect(s.queue.depth == 0 && s.queue.inFlight == 0)
        #expect(s.tasks.first?.runs == 2, "only the two that started ran")
    }

    @Test func dataRunsAndWaitingCallersShareOneOrderAndWithdrawCleanly() throws {
        var queue = QueueState(capacity: 10, limiter: StaticLimit(limit: 1), agingStep: 10)
        queue.setPaused(true)
        func run(_ name: String, _ priority: TaskPriority) -> QueuedRun {
            var spec = TaskSpec(name: name, run: .argv(["true"]))
            spec.priority = priority
            return QueuedRun(task: SharedTaskSpec(spec), admittedAt: 0)
        }
        var admitted = [queue.admit(run("low", .low), now: 0)]
        let admittedCaller = queue.admit(.normal, now: 0)
        let caller = try #require(admittedCaller)
        admitted.append(queue.admit(run("critical", .critical), now: 0))
        admitted.append(queue.admit(run("high", .high), now: 0))
        #expect(admitted == [true, true, true])
        #expect(queue.depth == 4)
        var taken = queue.nextReady()
        #expect(taken == nil, "nothing is granted while paused")

        queue.setPaused(false)
        #expect(queue.inFlight == 1 && queue.depth == 3)
        taken = queue.nextReady()
        #expect(taken?.task.spec.name == "critical")
        queue.finish(rtt: .zero, dropped: false)
        taken = queue.nextReady()
        #expect(taken?.task.spec.name == "high")
        queue.finish(rtt: .zero, dropped: false)
        // The waiting caller's turn: granted on its sequence, not handed to a worker.
        taken = queue.nextReady()
        #expect(taken == nil)
        #expect(queue.inFlight == 1 && queue.depth == 1)

        // Withdrawing takes the data runs only; the caller keeps its slot.
        let withdrawn = queue.withdrawRuns()
        #expect(withdrawn == 1)
        #expect(queue.depth == 0 && queue.inFlight == 1)
        // The caller's task is cancelled before it waits: its slot comes back.
        queue.cancel(caller)
        #expect(queue.inFlight == 0)
        let rest = queue.cancelAll()
        #expect(rest == 0)
    }

    @Test func aGrantedRunNoWorkerTookIsWithdrawnWithItsSlot() {
        var queue = QueueState(capacity: 10, limiter: StaticLimit(limit: 2), agingStep: 10)
        let spec = SharedTaskSpec(TaskSpec(name: "t", run: .argv(["true"])))
        var admitted = 0
        for _ in 0..<6 where queue.admit(QueuedRun(task: spec, admittedAt: 0), now: 0) { admitted += 1 }
        #expect(admitted == 6)
        #expect(queue.inFlight == 2 && queue.depth == 4)
        let cancelled = queue.cancelAll()
        #expect(cancelled == 6)
        #expect(queue.inFlight == 0 && queue.depth == 0)
        let taken = queue.nextReady()
        #expect(taken == nil)
    }

    @Test func aFullQueueRejectsADataRunAtOnce() {
        var queue = QueueState(capacity: 3, limiter: StaticLimit(limit: 1), agingStep: 10)
        queue.setPaused(true)
        let spec = SharedTaskSpec(TaskSpec(name: "t", run: .argv(["true"])))
        var results: [Bool] = []
        for _ in 0..<4 { results.append(queue.admit(QueuedRun(task: spec, admittedAt: 0), now: 0)) }
        #expect(results == [true, true, true, false])
        #expect(queue.depth == 3 && queue.maxDepth == 3)
    }
}
