import Foundation
import Testing
import TestSupport

@Suite(.watchdog) struct HeadlessTests {
    @Test func theCIExampleRunsAndWritesCorrectReports() async throws {
        let dir = try temporaryDirectory()
        let report = dir.appendingPathComponent("r.json"), junit = dir.appendingPathComponent("j.xml")
        let result = try await Binary.run(["--headless", "--until-idle", "--config", "Examples/ci.toml",
                                     "--report", report.path, "--junit", junit.path])
        #expect(result.code == 0, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
        #expect(result.stdout.contains("phase workspace succeeded"))
        #expect(result.stdout.contains("finished after"))
        #expect(!result.stdout.contains("\u{1B}"), "no escape codes when stdout is not a terminal")

        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        for key in ["version", "exit", "totals", "tasks", "startup", "queue", "processPool", "cache", "memory",
                    "flags", "revisions", "abTests", "decisions", "events"] {
            #expect(json[key] != nil, "report lacks \(key)")
        }
        let totals = try #require(json["totals"] as? [String: Int])
        #expect(totals["submitted"] == 7)
        #expect(totals["completed"] == 7)
        #expect(totals["failed"] == 0)
        let exit = try #require(json["exit"] as? [String: Any])
        #expect(exit["code"] as? Int == 0)
        #expect(exit["reason"] as? String == "idle")
        let tasks = try #require(json["tasks"] as? [[String: Any]])
        #expect(tasks.count == 5)
        #expect(tasks.first { $0["name"] as? String == "smoke" }?["runs"] as? Int == 3)
        let startup = try #require(json["startup"] as? [String: Any])
        #expect(startup["state"] as? String == "ready")
        let phases = try #require(startup["phases"] as? [[String: Any]])
        #expect(phases.count == 6, "four engine phases and the workload's two")
        #expect(phases.filter { $0["builtIn"] as? Bool == true }.map { $0["name"] as? String }
                == ["engine:core", "engine:database", "engine:networking", "engine:pool"])
        #expect((startup["criticalPath"] as? [String])?.last == "workspace")
        #expect(phases.allSatisfy { $0.keys.contains("error") }, "error is present, as null")
        let memory = try #require(json["memory"] as? [String: Any])
        #expect((memory["classes"] as? [[String: Any]])?.first?["capacity"] as? Int == 256)

        let xml = try String(contentsOf: junit, encoding: .utf8)
        #expect(xml.components(separatedBy: "<testcase ").count - 1 == 11, "one test case per phase (engine's included) and per task")
        #expect(xml.contains("tests=\"11\" failures=\"0\""))
    }

    @Test func thousandsOfTasksRunThroughTheQueueWithCompleteAccounting() async throws {
        let dir = try temporaryDirectory()
        let report = dir.appendingPathComponent("r.json")
        let result = try await Binary.run(["--headless", "--config", "Examples/load.toml", "--report", report.path])
        #expect(result.code == 1, "the workload has failing and timed-out tasks")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        let t = try #require(json["totals"] as? [String: Int])
        #expect(t["submitted"] == 3920)
        #expect(t["submitted"] == t["completed"]! + t["failed"]! + t["timedOut"]! + t["rejected"]! + t["cancelled"]!)
        #expect(t["timedOut"] == 20)
        #expect(t["failed"]! > 0)
        let queue = try #require(json["queue"] as? [String: Any])
        #expect((queue["maxInFlight"] as? Int ?? 99) <= 32)
        #expect(queue["limiter"] as? String == "aimd")
        let levels = try #require(queue["byPriority"] as? [[String: Any]])
        #expect(levels.map { $0["priority"] as? String } == ["low", "normal", "high", "critical"])
        #expect(levels.map { $0["finished"] as? Int } == [420, 1500, 1500, 500])
        #expect(levels.allSatisfy { ($0["runMs"] as? [String: Double])?["p95"] != nil })
        #expect(result.stdout.contains("queue: limit"))
    }

    @Test func aFailingTaskExitsOneAndShowsTheTailOfStderr() async throws {
        let dir = try temporaryDirectory()
        let junit = dir.appendingPathComponent("j.xml")
        let result = try await Binary.run(["--headless", "--config", "Examples/failing.toml", "--junit", junit.path])
        #expect(result.code == 1)
        #expect(result.stdout.contains("task fails failed: exit 3"))
        #expect(result.stdout.contains("| error: missing semicolon at main.c:12"))
        #expect(result.stdout.contains("task hangs timed out"))
        let xml = try String(contentsOf: junit, encoding: .utf8)
        #expect(xml.contains("<failure message=\"1 of 1 runs failed: exit 3\""))
        #expect(xml.contains("type=\"timeout\""))
    }

    @Test func aBrokenWorkloadExitsTwoNamingTheKey() async throws {
        let result = try await Binary.run(["--headless", "--config", "Examples/broken.toml"])
        #expect(result.code == 2)
        #expect(result.stderr.contains("broken.toml:6: queue.max_concurency: unknown key 'max_concurency'; did you mean 'max_concurrency'?"))
        #expect(result.stderr.contains("dependency cycle: database -> network -> database"))
        let check = try await Binary.run(["check", "--config", "Examples/broken.toml"])
        #expect(check.code == 2)
        #expect(check.stderr.components(separatedBy: "\n").filter { $0.contains("broken.toml:") }.count >= 10)
    }

    @Test func usageErrorsExitTwo() async throws {
        let badFlag = try await Binary.run(["--headless", "--flag", "comand_cache=off"])
        #expect(badFlag.code == 2)
        #expect(badFlag.stderr.contains("did you mean 'command_cache'"))
        let badOption = try await Binary.run(["--headless", "--no-such-option"])
        #expect(badOption.code == 2)
    }

    @Test func flagOverridesReachTheReport() async throws {
        let dir = try temporaryDirectory()
        let workload = dir.appendingPathComponent("w.toml")
        try "[[task]]\nname = \"one\"\nrun = \"true\"\n".write(to: workload, atomically: true, encoding: .utf8)
        let report = dir.appendingPathComponent("r.json")
        let result = try await Binary.run(["--headless", "--config", workload.path, "--flag", "command_cache=off", "--report", report.path])
        #expect(result.code == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        let flags = try #require(json["flags"] as? [String: Bool])
        #expect(flags["command_cache"] == false)
        #expect(flags["process_pool"] == true)
    }

    @Test func withoutATerminalTheDefaultModeFallsBackToHeadless() async throws {
        let dir = try temporaryDirectory()
        let workload = dir.appendingPathComponent("w.toml")
        try "[[task]]\nname = \"one\"\nrun = \"echo hi\"\n".write(to: workload, atomically: true, encoding: .utf8)
        let result = try await Binary.run(["--config", workload.path])
        #expect(result.code == 0)
        #expect(result.stderr.contains("not a terminal; running headless"))
        #expect(result.stdout.contains("1 submitted, 1 completed"))
    }

    @Test func durationStopsARunThatNeverGoesIdle() async throws {
        let dir = try temporaryDirectory()
        let workload = dir.appendingPathComponent("w.toml")
        try "[[task]]\nname = \"forever\"\nrun = \"true\"\nevery = \"100ms\"\n".write(to: workload, atomically: true, encoding: .utf8)
        let report = dir.appendingPathComponent("r.json")
        // One second in a plain run; stretched under a sanitizer.
        let seconds = Int(Sanitized.scaled(seconds: 1).rounded(.up))
        let result = try await Binary.run(["--headless", "--config", workload.path, "--duration", "\(seconds)", "--report", report.path])
        #expect(result.code == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        #expect((json["exit"] as? [String: Any])?["reason"] as? String == "duration")
        let totals = try #require(json["totals"] as? [String: Int])
        // How many runs fit in the duration depends on the machine: the duration counts from the
        // process's start, and on two cores shared with the rest of the suite the start-up alone
        // has taken all of it (no run submitted; 8 s of a ThreadSanitizer build completed none).
        // That the run stops for the duration and every run it did start is accounted for does not.
        #expect(totals["submitted"] == totals["completed"]! + totals["cancelled"]!)
    }

    @Test func execRunsOneCommandAndExitsWithItsCode() async throws {
        let ok = try await Binary.run(["exec", "--", "sh", "-c", "echo out; echo err >&2; exit 5"])
        #expect(ok.code == 5)
        #expect(ok.stdout == "out\n")
        #expect(ok.stderr == "err\n")
        let missing = try await Binary.run(["exec", "--", "no-such-command-xyz"])
        #expect(missing.code == 127)
        #expect(missing.stderr.contains("command not found: no-such-command-xyz"))
        let stats = try await Binary.run(["exec", "--stats", "--", "true"])
        #expect(stats.code == 0)
        #expect(stats.stderr.contains("exit 0 in"))
    }
}

@Suite(.watchdog) struct CheckKeysTests {
    @Test func checkRejectsAnUnknownKeyName() async throws {
        let dir = try temporaryDirectory()
        let workload = dir.appendingPathComponent("w.toml")
        try "[keys]\npause = \"Ctrl-Alt-Shift\"\n".write(to: workload, atomically: true, encoding: .utf8)
        let result = try await Binary.run(["check", "--config", workload.path])
        #expect(result.code == 2)
        #expect(result.stderr.contains("[keys]"))
        #expect(result.stderr.contains("Ctrl-Alt-Shift"))
    }
}
