import CyberneticEngine
import Foundation
import Testing
import TestSupport

@Suite(.watchdog) struct ControlTests {
    @Test func settingAFlagMakesANewRevision() async throws {
        let engine = Engine(configuration: try Workload.parse(""))
        try await engine.perform(.setFlag("command_cache", false))
        let s = engine.snapshot()
        #expect(s.optimizations.flags[.commandCache] == false)
        #expect(s.optimizations.revision == 2)
        #expect(s.optimizations.revisions.last?.changes == ["command_cache": false])
        #expect(s.optimizations.revisions.last?.by == "user")
        #expect(s.events.contains { $0.message.contains("flag command_cache off") })
    }

    @Test func unknownFlagsAreRejectedWithASuggestion() async throws {
        let engine = Engine(configuration: try Workload.parse(""))
        await #expect(throws: EngineError.unknownFlag("comand_cache")) {
            try await engine.perform(.setFlag("comand_cache", true))
        }
        #expect(EngineError.unknownFlag("comand_cache").description.contains("did you mean 'command_cache'"))
    }

    @Test func rollbackReturnsToTheKnownGoodFlags() async throws {
        var config = try Workload.parse("")
        config.flags[.processPool] = false
        let engine = Engine(configuration: config)
        try await engine.perform(.setFlag("command_cache", false))
        try await engine.perform(.setFlag("process_pool", true))
        try await engine.perform(.rollback)
        let s = engine.snapshot()
        #expect(s.optimizations.flags == config.flags)
        #expect(s.optimizations.revision == 4)
        #expect(s.optimizations.revisions.last?.note == "rollback to revision 1")
        #expect(s.events.contains { $0.message.contains("rolled back to revision 1") })
    }

    @Test func pausedIntakeHoldsSubmittedWorkUntilResumed() async throws {
        let engine = Engine(configuration: try Workload.parse(""))
        try await engine.perform(.pauseIntake)
        async let run: Void = engine.run()
        _ = try await engine.waitFor { $0.state == .idle }
        try await engine.perform(.submit(TaskSpec(name: "later", run: .argv(["true"]))))
        let held = try await engine.waitFor { $0.queue.depth == 1 }
        #expect(held.intakePaused)
        #expect(held.queue.inFlight == 0)
        #expect(held.totals.completed == 0)
        try await engine.perform(.resumeIntake)
        let done = try await engine.waitFor { $0.totals.completed == 1 }
        #expect(done.tasks.first { $0.name == "later" }?.runs == 1)
        engine.stop()
        try await run
    }

    @Test func submittedTasksRun() async throws {
        let engine = Engine(configuration: try Workload.parse(""))
        async let run: Void = engine.run()
        _ = try await engine.waitFor { $0.state == .idle }
        try await engine.perform(.submit(TaskSpec(name: "adhoc", run: .shell("exit 4"))))
        let s = try await engine.waitFor { $0.totals.failed == 1 }
        #expect(s.tasks.first { $0.name == "adhoc" }?.lastExitCode == 4)
        engine.stop()
        try await run
    }
}
