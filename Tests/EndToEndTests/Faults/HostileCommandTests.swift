import Foundation
import Testing
import TestSupport

/// Commands that misbehave the way real ones do, run through the real binary in one workload:
/// each must end, be accounted for, leave no process behind and show nothing raw on the terminal.
@Suite(.watchdog) struct HostileCommandTests {
    @Test func misbehavingCommandsEndAccountedCleanAndSanitized() async throws {
        let tag = OrphanTests.tag()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try Faults.write("""
        [queue]
        max_concurrency = 8
        task_timeout = "60s"
        [flags]
        command_cache = false

        [[task]]
        name = "ignores-term"
        run = ["sh", "-c", "trap '' TERM; while :; do sleep 1; done"]
        timeout = "1s"

        [[task]]
        name = "forks-and-detaches"
        run = "sleep \(tag) & setsid sleep \(tag) & nohup sleep \(tag) >/dev/null 2>&1 & echo detached"

        [[task]]
        name = "closes-stdout"
        run = "exec >&- ; sleep 0.3; echo still-here >&2"

        [[task]]
        name = "hostile-output"
        run = "printf 'title\\\\033]0;pwned-title\\\\007 red\\\\033[31mRED\\\\033[0m bad\\\\377\\\\376utf8 bell\\\\007 cr\\\\r\\\\n' >&2; exit 7"

        [[task]]
        name = "never-reads-stdin"
        run = ["cat"]

        [[task]]
        name = "flood"
        run = ["head", "-c", "300000000", "/dev/zero"]

        [[task]]
        name = "crashes"
        run = ["sh", "-c", "kill -SEGV $$"]
        """, to: "w.toml", in: dir)
        let report = dir.appendingPathComponent("r.json"), junit = dir.appendingPathComponent("j.xml")
        let started = ContinuousClock.now
        let binary = try RunningBinary(["--headless", "--config", config.path, "--report", report.path,
                                        "--junit", junit.path], in: dir)
        let watch = Faults.Watch(binary.pid)
        let code = try await binary.waitForExit()
        let elapsed = ContinuousClock.now - started
        await watch.stop()
        let left = await Faults.orphans(of: watch, tag: "sleep \(tag)")

        #expect(code == 1, "stderr: \(binary.stderr)")
        #expect(elapsed < Sanitized.scaled(.seconds(45)), "the SIGTERM-ignoring command was killed at its timeout, not waited for")
        #expect(left.isEmpty, "left behind: \(left)")
        #expect(watch.peakMiB < 400 + Sanitized.memorySlackMiB, "peak resident memory \(watch.peakMiB) MiB while a command wrote 300 MB")

        let json = try Faults.json(report)
        let totals = Faults.totals(json)
        #expect(totals["submitted"] == 7)
        #expect(Faults.balanced(totals), "\(totals)")
        #expect(totals["timedOut"] == 1)
        #expect(totals["completed"] == 4, "detaches, closes stdout, never reads stdin, flood")
        #expect(totals["failed"] == 2, "exit 7 and SIGSEGV")
        #expect(Faults.task(json, "hostile-output")["lastExitCode"] as? Int == 7)
        #expect(Faults.task(json, "crashes")["failures"] as? Int == 1)

        // Nothing a command wrote reaches the terminal or the reports raw.
        let stdout = binary.stdout
        let texts = ["stdout": stdout, "stderr": binary.stderr,
                     "report": Faults.strings(in: json).joined(separator: "\n"),
                     "junit": (try? String(contentsOf: junit, encoding: .utf8)) ?? ""]
        for (name, text) in texts {
            #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" },
                    "\(name) holds a control character")
            #expect(!text.contains("pwned-42"), "\(name) shows an OSC title sequence's payload")
        }
        #expect(stdout.contains("RED"), "the visible text of the hostile output is shown: \(stdout)")
        #expect(stdout.contains("\u{FFFD}"), "invalid UTF-8 shows as the replacement character")
    }
}
