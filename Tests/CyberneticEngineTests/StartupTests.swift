import CyberneticEngine
import Foundation
import Testing

@Suite struct StartupTests {
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
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", "-c", """
        import socket, time
        s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
        time.sleep(0.3); s.listen(); open("\(portFile)", "w").write(str(port))
        time.sleep(20)
        """]
        try server.run()
        defer { server.terminate() }
        while !FileManager.default.fileExists(atPath: portFile) { try await Task.sleep(for: .milliseconds(20)) }
        let port = try String(contentsOfFile: portFile, encoding: .utf8)
        let config = try Workload.parse("""
        [[phase]]
        name = "server"
        run = "true"
        health = "tcp://127.0.0.1:\(port)"
        timeout = "20s"
        """)
        let s = try await Engine(configuration: config).runUntilIdle()
        #expect(s.startup.state == .ready)
    }
}
