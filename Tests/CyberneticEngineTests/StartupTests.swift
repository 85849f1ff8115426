import CyberneticEngine
import Foundation
import Testing
import TestSupport

@Suite(.watchdog) struct StartupTests {
    @Test func phasesRunInDependencyOrderAndIndependentOnesTogether() async throws {
        let dir = try temporaryDirectory()
        let log = dir.appendingPathComponent("log").path
        let config = try Workload.parse("""
        [[phase]]
        name = "core"
        run = "echo core >> \(log)"
        [[phase]]
        name = "left"
        run = "touch \(dir.path)/left.started; while [ ! -e \(dir.path)/right.started ]; do sleep 0.01; done; echo left >> \(log)"
        depends_on = ["core"]
        [[phase]]
        name = "right"
        run = "touch \(dir.path)/right.started; while [ ! -e \(dir.path)/left.started ]; do sleep 0.01; done; echo right >> \(log)"
        depends_on = ["core"]
        [[phase]]
        name = "top"
        run = "echo top >> \(log)"
        depends_on = ["left", "right"]
        """)
        // left and right each wait for the other to have started: this only finishes if they run in parallel.
        let s = try await Engine(configuration: config).runUntilIdle()
        #expect(s.startup.state == .ready)
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "core")
        #expect(lines.last == "top")
        #expect(Set(lines[1...2]) == ["left", "right"])
        #expect(s.startup.phases.allSatisfy { $0.state == .succeeded })
        #expect(s.startup.criticalPath.first == "engine:core" && s.startup.criticalPath.last == "top")
        #expect(s.startup.criticalPath.contains("core"))
    }

    @Test func aFailingPhaseRollsBackCompletedPhasesInReverseOrder() async throws {
        let dir = try temporaryDirectory()
        let log = dir.appendingPathComponent("rollback").path
        let config = try Workload.parse("""
        [[phase]]
        name = "a"
        run = "true"
        rollback = "echo undo-a >> \(log)"
        [[phase]]
        name = "b"
        run = "true"
        depends_on = ["a"]
        rollback = "echo undo-b >> \(log)"
        [[phase]]
        name = "c"
        run = "echo 'disk full' >&2; exit 1"
        depends_on = ["b"]
        [[phase]]
        name = "d"
        run = "true"
        depends_on = ["c"]
        [[task]]
        name = "never"
        run = "true"
        """)
        let s = try await Engine(configuration: config).runUntilIdle()
        #expect(s.state == .failed || s.state == .stopped)
        #expect(s.startup.state == .rolledBack)
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "undo-b\nundo-a\n")
        let states = Dictionary(uniqueKeysWithValues: s.startup.phases.filter { !$0.builtIn }.map { ($0.name, $0.state) })
        #expect(states == ["a": .rolledBack, "b": .rolledBack, "c": .failed, "d": .skipped])
        #expect(s.startup.phases.first { $0.name == "c" }?.error == "exit 1")
        #expect(s.totals.submitted == 0, "no task runs after a failed start-up")
        #expect(s.events.contains { $0.message.contains("phase c failed") && $0.detail?.contains("disk full") == true })
    }

    @Test func aPhaseTimesOutAndAHealthCheckMustPass() async throws {
        let config = try Workload.parse("""
        [[phase]]
        name = "slow"
        run = "sleep 30"
        timeout = "200ms"
        [[phase]]
        name = "unhealthy"
        run = "true"
        health = "false"
        timeout = "500ms"
        """)
        let s = try await Engine(configuration: config).runUntilIdle()
        let slow = try #require(s.startup.phases.first { $0.name == "slow" })
        #expect(slow.state == .timedOut || slow.state == .skipped)
        #expect(s.startup.state != .ready)
    }

    @Test func aTCPHealthCheckWaitsForAListener() async throws {
        // python3 opens a real listener on loopback after a short delay; the phase is healthy once it accepts.
        let dir = try temporaryDirectory()
        let portFile = dir.appendingPathComponent("port").path
        let server = try Spawned(["python3", "-c", """
        import os, socket, time
        s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
        time.sleep(0.3); s.listen()
        open("\(portFile).tmp", "w").write(str(port)); os.rename("\(portFile).tmp", "\(portFile)")
        time.sleep(600)
        """])
        defer { server.kill() }
        while !FileManager.default.fileExists(atPath: portFile) { try await Task.sleep(for: .milliseconds(20)) }
        let port = try String(contentsOfFile: portFile, encoding: .utf8)
        let config = try Workload.parse("""
        [[phase]]
        name = "server"
        run = "true"
        health = "tcp://127.0.0.1:\(port)"
        timeout = "120s"
        """)
        // The listener lives until the test ends and the phase has minutes: a loaded machine
        // (the whole suite on 2 cores) can take tens of seconds to boot the engine.
        let s = try await Engine(configuration: config).runUntilIdle()
        #expect(s.startup.state == .ready, "\(s.startup.phases.map { "\($0.name) \($0.state) \($0.error ?? "")" })")
    }
}

@Suite(.watchdog) struct StartupGraphTests {
    private func starts(_ s: EngineSnapshot) -> [String: Int64] {
        Dictionary(uniqueKeysWithValues: s.startup.phases.compactMap { p in p.startMs.map { (p.name, $0) } })
    }

    @Test func independentPhasesRunTogether() async throws {
        let config = try Workload.parse("""
        [[phase]]
        name = "a"
        run = "sleep 0.3"
        [[phase]]
        name = "b"
        run = "sleep 0.4"
        [[phase]]
        name = "c"
        run = "sleep 0.2"
        [[phase]]
        name = "d"
        run = "sleep 0.3"
        """)
        let s = try await Engine(configuration: config).runUntilIdle()
        let user = s.startup.phases.filter { !$0.builtIn }
        let lastStart = try #require(user.compactMap(\.startMs).max())
        let firstEnd = try #require(user.compactMap(\.endMs).min())
        // One after another they would take 1.2 s; here all four had started before any finished.
        #expect(lastStart <= firstEnd, "last start \(lastStart) ms, first end \(firstEnd) ms")
    }

    @Test func aChainRunsInOrderAndADiamondStartsItsMiddleTogether() async throws {
        let config = try Workload.parse("""
        [[phase]]
        name = "top"
        run = "sleep 0.1"
        [[phase]]
        name = "left"
        run = "sleep 0.3"
        depends_on = ["top"]
        [[phase]]
        name = "right"
        run = "sleep 0.3"
        depends_on = ["top"]
        [[phase]]
        name = "bottom"
        run = "true"
        depends_on = ["left", "right"]
        """)
        let s = try await Engine(configuration: config).runUntilIdle()
        let start = starts(s)
        let end = Dictionary(uniqueKeysWithValues: s.startup.phases.compactMap { p in p.endMs.map { (p.name, $0) } })
        #expect(start["left"]! >= end["top"]! && start["right"]! >= end["top"]!)
        #expect(abs(start["left"]! - start["right"]!) < 250, "the middle of the diamond starts together")
        #expect(start["bottom"]! >= max(end["left"]!, end["right"]!))
        #expect(s.startup.criticalPath.suffix(3).first == "top" && s.startup.criticalPath.last == "bottom")
    }

    @Test func aServiceBecomesReadyOverHTTPAndIsStoppedAtShutdown() async throws {
        let dir = try temporaryDirectory()
        let port = Int.random(in: 20_000...40_000)
        let pidFile = dir.appendingPathComponent("server.pid").path
        let config = try Workload.parse("""
        [[phase]]
        name = "web"
        run = "echo $$ > \(pidFile); exec python3 -m http.server \(port) --bind 127.0.0.1 --directory \(dir.path)"
        service = true
        health = "http://127.0.0.1:\(port)/"
        timeout = "30s"
        [[task]]
        name = "fetch"
        run = ["python3", "-c", "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:\(port)/').status)"]
        cache = false
        """)
        let engine = Engine(configuration: config)
        let s = try await engine.runUntilIdle()
        #expect(s.startup.phases.first { $0.name == "web" }?.state == .stopped)
        #expect(s.totals.completed == 1, "the task reached the service while it ran")
        #expect(s.events.contains { $0.message == "service web stopped" })
        let pid = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(!processIsAlive(pid), "the server is gone after shutdown")
    }

    @Test func aHealthCheckThatNeverPassesFailsThePhaseAtItsTimeout() async throws {
        let config = try Workload.parse("""
        [[phase]]
        name = "never"
        run = "true"
        health = "false"
        timeout = "3s"
        """)
        let s = try await Engine(configuration: config).runUntilIdle()
        let phase = try #require(s.startup.phases.first { $0.name == "never" })
        #expect(phase.state == .timedOut)
        // On a loaded machine the phase's own command may use up the time; either way the phase did not pass.
        #expect(phase.error?.contains("health check 'false' failed") == true || phase.error?.contains("timed out") == true)
        #expect(s.startup.state == .rolledBack)
    }

    @Test func stoppingDuringStartUpRollsBackWhatCompleted() async throws {
        let dir = try temporaryDirectory()
        let log = dir.appendingPathComponent("log").path
        let config = try Workload.parse("""
        [[phase]]
        name = "done"
        run = "true"
        rollback = "echo undo-done >> \(log)"
        [[phase]]
        name = "slow"
        run = "sleep 30"
        depends_on = ["done"]
        """)
        let engine = Engine(configuration: config)
        async let run: Void = engine.run()
        _ = try await engine.waitFor { $0.startup.phases.first { $0.name == "slow" }?.state == .running }
        engine.stop()
        try await run
        let s = engine.snapshot()
        #expect(s.startup.phases.first { $0.name == "slow" }?.state == .skipped)
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "undo-done\n")
        #expect(s.startup.state == .rolledBack)
    }
}
