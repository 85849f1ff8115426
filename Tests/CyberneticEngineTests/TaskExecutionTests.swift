import CyberneticEngine
import Foundation
import Testing
import TestSupport

@Suite(.watchdog) struct TaskExecutionTests {
    @Test func aTimedOutTaskIsKilledWithItsWholeProcessGroup() async throws {
        let dir = try temporaryDirectory()
        let pidFile = dir.appendingPathComponent("child.pid").path
        // The shell starts a grandchild that ignores SIGTERM, then waits: both must die.
        let config = try Workload.parse("""
        [[task]]
        name = "hang"
        run = "sh -c 'trap \\"\\" TERM; sleep 60' & echo $! > \(pidFile); wait"
        timeout = "2s"
        """)
        let engine = Engine(configuration: config)
        let s = try await engine.runUntilIdle()
        #expect(s.totals.timedOut == 1)
        #expect(s.tasks[0].timeouts == 1)
        #expect(s.tasks[0].lastExitCode == 124)
        let pid = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(!processIsAlive(pid), "grandchild \(pid) survived the timeout")
        #expect(s.events.contains { $0.level == .error && $0.message.contains("task hang timed out") })
    }

    @Test func aFailingTaskKeepsTheTailOfItsStderr() async throws {
        let config = try Workload.parse("""
        [[task]]
        name = "broken"
        run = "echo progress; echo 'error: boom at line 3' >&2; printf '\\\\033[31mred\\\\033[0m\\\\n' >&2; exit 7"
        """)
        let s = try await Engine(configuration: config).runUntilIdle()
        #expect(s.totals.failed == 1)
        let task = s.tasks[0]
        #expect(task.lastExitCode == 7)
        let failure = try #require(task.lastFailure)
        #expect(failure.contains("exit 7"))
        #expect(failure.contains("error: boom at line 3"))
        #expect(failure.contains("red"))
        #expect(!failure.contains("\u{1B}"), "escape sequences must be stripped")
        #expect(!failure.contains("progress"), "stdout is not stderr")
        let event = try #require(s.events.first { $0.message.contains("task broken failed: exit 7") })
        #expect(event.detail?.contains("boom") == true)
    }

    @Test func aMissingCommandIsAClearFailure() async throws {
        let config = try Workload.parse("""
        [[task]]
        name = "ghost"
        run = ["definitely-not-a-command-xyz", "--flag"]
        """)
        let s = try await Engine(configuration: config).runUntilIdle()
        #expect(s.totals.failed == 1)
        #expect(s.tasks[0].lastFailure?.contains("command not found: definitely-not-a-command-xyz") == true)
        #expect(s.tasks[0].lastExitCode == 127)
    }

    @Test func aCrashBySignalIsReported() async throws {
        let config = try Workload.parse("""
        [[task]]
        name = "crash"
        run = ["sh", "-c", "kill -SEGV $$"]
        """)
        let s = try await Engine(configuration: config).runUntilIdle()
        #expect(s.totals.failed == 1)
        #expect(s.tasks[0].lastFailure?.contains("signal 11") == true)
        #expect(s.tasks[0].lastExitCode == 139)
    }

    @Test func aFullQueueRejectsAndEveryRunIsAccountedFor() async throws {
        var config = try Workload.parse("")
        config.queue.maxSize = 2
        config.queue.maxConcurrency = 1
        let engine = Engine(configuration: config)
        try await engine.perform(.pauseIntake)
        async let run: Void = engine.run()
        _ = try await engine.waitFor { $0.state == .idle }
        for i in 0..<5 { try await engine.perform(.submit(TaskSpec(name: "t\(i)", run: .argv(["true"])))) }
        let full = engine.snapshot()
        #expect(full.totals.submitted == 5)
        #expect(full.totals.rejected == 3)
        #expect(full.events.contains { $0.message.contains("rejected: queue full") })
        try await engine.perform(.resumeIntake)
        let s = try await engine.waitFor { $0.state == .idle }
        let t = s.totals
        #expect(t.completed == 2)
        #expect(t.submitted == t.completed + t.failed + t.timedOut + t.rejected + t.cancelled)
        engine.stop()
        try await run
    }

    @Test func stoppingCancelsQueuedAndRunningWork() async throws {
        let config = try Workload.parse("""
        [queue]
        max_concurrency = 1
        [[task]]
        name = "long"
        run = ["sleep", "30"]
        [[task]]
        name = "waiting"
        run = ["true"]
        """)
        let engine = Engine(configuration: config)
        async let run: Void = engine.run()
        _ = try await engine.waitFor { $0.queue.inFlight == 1 && $0.queue.depth == 1 }
        engine.stop()
        try await run
        let t = engine.snapshot().totals
        #expect(t.cancelled == 2)
        #expect(t.submitted == t.completed + t.failed + t.timedOut + t.rejected + t.cancelled)
        #expect(engine.snapshot().state == .stopped)
    }

    @Test func floodedOutputIsCappedNotLost() async throws {
        let result = await CommandRunner.run(CommandRequest(argv: ["sh", "-c", "yes 0123456789 | head -c 5000000; echo end >&2"],
                                                            outputLimit: 4096).scaled())
        #expect(result.outcome == .exited(0))
        #expect(result.stdout.totalBytes == 5_000_000)
        #expect(result.stdout.bytes.count == 4096)
        #expect(result.stdout.truncated)
        #expect(String(decoding: result.stderr.bytes, as: UTF8.self) == "end\n")
    }

    @Test func outputTailKeepsTheLastBytesInOrder() {
        var tail = OutputTail(limit: 5)
        tail.append(Array("abc".utf8))
        tail.append(Array("defg".utf8))
        tail.append(Array("h".utf8))
        #expect(String(decoding: tail.bytes, as: UTF8.self) == "defgh")
        #expect(tail.totalBytes == 8)
    }

    @Test func environmentEntriesReachTheCommand() async throws {
        let dir = try temporaryDirectory()
        let out = dir.appendingPathComponent("env.txt").path
        let config = try Workload.parse("""
        [[task]]
        name = "env"
        run = "echo \\"$GREETING\\" > \(out)"
        env = ["GREETING=hello from cybernetic"]
        """)
        _ = try await Engine(configuration: config).runUntilIdle()
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "hello from cybernetic\n")
    }

    @Test func repeatedTasksRunTheirCount() async throws {
        let config = try Workload.parse("""
        [[task]]
        name = "again"
        run = ["true"]
        count = 4
        every = "10ms"
        """)
        let s = try await Engine(configuration: config).runUntilIdle()
        #expect(s.tasks[0].runs == 4)
        #expect(s.totals.completed == 4)
    }
}
