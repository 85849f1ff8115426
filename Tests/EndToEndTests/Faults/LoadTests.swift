import Foundation
import Testing
import TestSupport

/// Many short real commands of every kind through the real binary: the accounting must balance to
/// the task, memory must stay bounded, and nothing may be left running afterwards.
/// 2,000 tasks always; 100,000 with CYBERNETIC_LONG_TESTS=1.
@Suite(.watchdog, .serialized) struct LoadTests {
    struct Mix {
        var scale: Int
        var trues: Int { 800 * scale }
        var echoes: Int { 740 * scale }
        var falses: Int { 300 * scale }
        var crashes: Int { 100 * scale }
        var floods: Int { 30 * scale }
        var sleepsPastTimeout: Int { 20 * scale }
        var ignoresTerm: Int { 10 * scale }
        var total: Int { trues + echoes + falses + crashes + floods + sleepsPastTimeout + ignoresTerm }

        var workload: String {
            """
            [queue]
            max_size = 200000
            max_concurrency = 32
            # Failures and timeouts are what an adaptive limit backs off from; a floor keeps the
            # run short on a 2-core machine without taking the limiter out of the test.
            min_concurrency = 16
            task_timeout = "60s"
            [flags]
            command_cache = false

            [[task]]
            name = "true"
            run = ["true"]
            count = \(trues)

            [[task]]
            name = "echo"
            run = "echo ok"
            priority = "high"
            count = \(echoes)

            [[task]]
            name = "false"
            run = ["false"]
            priority = "low"
            count = \(falses)

            [[task]]
            name = "crash"
            run = ["sh", "-c", "kill -KILL $$"]
            count = \(crashes)

            [[task]]
            name = "flood"
            run = ["head", "-c", "5000000", "/dev/zero"]
            priority = "critical"
            count = \(floods)

            [[task]]
            name = "sleeps-past-timeout"
            run = ["sleep", "5"]
            timeout = "100ms"
            count = \(sleepsPastTimeout)

            [[task]]
            name = "ignores-term"
            run = ["sh", "-c", "trap '' TERM; sleep 5"]
            timeout = "200ms"
            count = \(ignoresTerm)
            """
        }
    }

    @Test func aMixedLoadIsAccountedToTheTaskWithBoundedMemoryAndNoOrphans() async throws {
        let mix = Mix(scale: Faults.long ? 50 : 1)
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try Faults.write(mix.workload, to: "load.toml", in: dir)
        let report = dir.appendingPathComponent("r.json")
        let clock = ContinuousClock()
        let started = clock.now
        let binary = try RunningBinary(["--headless", "--config", config.path, "--report", report.path,
                                        "--status-interval", "30"], in: dir)
        let watch = Faults.Watch(binary.pid, every: 0.2)
        let code = try await binary.waitForExit()
        let elapsed = clock.now - started
        await watch.stop()
        let left = await Faults.orphans(of: watch, tag: nil)

        #expect(code == 1, "failures in the mix exit 1: \(binary.stderr)")
        let totals = Faults.totals(try Faults.json(report))
        #expect(totals["submitted"] == mix.total)
        #expect(Faults.balanced(totals), "\(totals)")
        #expect(totals["completed"] == mix.trues + mix.echoes + mix.floods, "\(totals)")
        #expect(totals["failed"] == mix.falses + mix.crashes, "\(totals)")
        #expect(totals["timedOut"] == mix.sleepsPastTimeout + mix.ignoresTerm, "\(totals)")
        #expect(totals["rejected"] == 0 && totals["cancelled"] == 0)
        // One bound for 2,000 and 100,000 tasks: a queued run is a 40-byte record, not a suspended
        // task (518 MiB with 100,000 submitted at once when it was; 80 MiB since).
        let bound = 300 + Sanitized.memorySlackMiB
        #expect(watch.peakMiB > 0 && watch.peakMiB < bound, "peak resident memory \(watch.peakMiB) MiB")
        #expect(left.isEmpty, "left behind: \(left)")
        print("load: \(mix.total) tasks in \(elapsed), peak RSS \(watch.peakMiB) MiB, \(watch.groups.count) sessions/groups watched")
    }

    @Test func warmRunnersKilledAtRandomLoseNoTask() async throws {
        let count = Faults.long ? 3000 : 300
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try Faults.write("""
        [queue]
        max_concurrency = 8
        [process_pool]
        min = 4
        max = 8
        runtimes = ["sh"]
        [flags]
        command_cache = false

        [[task]]
        name = "work"
        run = "sleep 0.02; echo ok"
        count = \(count)
        """, to: "w.toml", in: dir)
        let report = dir.appendingPathComponent("r.json")
        let binary = try RunningBinary(["--headless", "--config", config.path, "--report", report.path], in: dir)
        let pid = binary.pid
        let kills = Counter(0)
        let watch = Faults.Watch(pid, every: 0.05) {
            // Runners are direct children: look only there, so the victim is still alive when shot.
            let runners = ProcessTable.children(of: pid).filter {
                ProcessTable.row($0)?.commandLine.contains("warm shell runner") == true
            }
            if kills.value < count / 10, let victim = runners.randomElement(), Bool.random(),
               kill(victim, SIGKILL) == 0 {
                kills.add(1)
            }
        }
        try await binary.waitForExit()
        await watch.stop()
        let left = await Faults.orphans(of: watch, tag: nil)

        let json = try Faults.json(report)
        let totals = Faults.totals(json)
        #expect(kills.value > 0, "the test killed runners")
        #expect(totals["submitted"] == count)
        #expect(Faults.balanced(totals), "\(totals)")
        #expect(totals["completed", default: 0] + totals["failed", default: 0] == count, "\(totals)")
        #expect(totals["completed", default: 0] > count / 2, "the pool kept serving: \(totals)")
        let runtimes = (json["processPool"] as? [String: Any])?["runtimes"] as? [[String: Any]] ?? []
        let crashes = runtimes.reduce(0) { $0 + ($1["crashes"] as? Int ?? 0) }
        #expect(crashes > 0, "the pool noticed the kills: \(runtimes)")
        #expect(left.isEmpty, "left behind: \(left)")
        print("runner kills: \(kills.value) SIGKILLs, \(crashes) crashes recorded, totals \(totals)")
    }
}

/// A counter the sampling thread and the test share.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count: Int
    init(_ value: Int) { count = value }
    func add(_ n: Int) { lock.withLock { count += n } }
    var value: Int { lock.withLock { count } }
}
