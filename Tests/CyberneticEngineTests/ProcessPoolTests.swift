@testable import CyberneticEngine
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
import TestSupport
#endif

/// Helpers for the pool and npx tests.
enum PoolTesting {
    static let nodeInstalled = ExecutableLookup.find("node") != nil
    static let pythonInstalled = ExecutableLookup.find("python3") != nil

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var npxDemo: URL { repositoryRoot.appendingPathComponent("Examples/npx-demo") }

    static func settings(min: Int, max: Int, idleTimeout: Duration = .seconds(30)) -> ProcessPoolSettings {
        var settings = ProcessPoolSettings()
        settings.min = min
        settings.max = max
        settings.idleTimeout = idleTimeout
        return settings
    }

    static func text(_ tail: OutputTail) -> String { String(decoding: tail.bytes, as: UTF8.self) }

    /// Polls `condition` until it holds or a generous deadline passes (then false); the deadline
    /// is stretched by `Sanitized.timeScale`.
    static func eventually(within limit: Duration = .seconds(240), _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + Sanitized.scaled(limit)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    /// Processes (zombies excluded) whose process group is `group`.
    static func liveMembers(ofGroup group: Int32) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        var members: [Int32] = []
        for entry in entries where entry.first?.isNumber == true {
            guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 3, let pgid = Int32(fields[3]) else { continue }
            if pgid == group && fields[0] != "Z" && fields[0] != "X" { members.append(Int32(entry) ?? 0) }
        }
        return members
    }

    static func stats(_ pool: ProcessPool, _ runtime: String) -> RuntimeStats {
        pool.snapshot().first { $0.runtime == runtime } ?? RuntimeStats(runtime: runtime)
    }

    static func totals(_ pool: ProcessPool) -> RuntimeStats {
        pool.snapshot().reduce(into: RuntimeStats(runtime: "all")) { sum, stats in
            sum.warm += stats.warm
            sum.busy += stats.busy
            sum.booting += stats.booting
            sum.spawned += stats.spawned
            sum.crashes += stats.crashes
            sum.jobs += stats.jobs
            sum.waits += stats.waits
            sum.retries += stats.retries
        }
    }

    static func runners(_ pool: ProcessPool, _ runtime: String? = nil) -> [ProcessPoolDiagnostics.Runner] {
        pool.diagnostics().runners.filter { runtime == nil || $0.runtime == runtime }
    }

    static func temporaryDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cybernetic-pool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.resolvingSymlinksInPath().path
    }

    /// The same request through the pool and spawned directly; both results.
    static func warmAndCold(_ pool: ProcessPool, _ request: CommandRequest) async -> (warm: CommandResult?, cold: CommandResult) {
        let warm = await pool.run(request)
        let cold = await CommandRunner.run(request)
        return (warm, cold)
    }
}

@Suite("Process pool", .watchdog, .serialized)
struct ProcessPoolTests {
    // MARK: runtimes

    @Test("sh runner: quoting of spaces, quotes and newlines, environment, directory and exit codes match a direct spawn")
    func shellRunnerMatchesDirectSpawn() async throws {
        let pool = ProcessPool(settings: PoolTesting.settings(min: 1, max: 4))
        defer { Task { await pool.shutdown() } }
        let directory = try PoolTesting.temporaryDirectory()
        let script = """
        printf '[%s]\\n' "it's" 'a "b"' "$FOO" "${BAR-unset}"
        echo "$(pwd)"
        exit 7
        """
        let first = CommandRequest(argv: ["/bin/sh", "-c", script], workingDirectory: directory,
                                   environment: ["FOO": "x y'z\nw \\n $HOME `id`", "BAR": nil]).scaled()
        let (warm1, cold1) = await PoolTesting.warmAndCold(pool, first)
        let result1 = try #require(warm1, "the pool takes `sh -c SCRIPT`")
        #expect(result1.outcome == .exited(7))
        #expect(result1.outcome == cold1.outcome)
        #expect(PoolTesting.text(result1.stdout) == PoolTesting.text(cold1.stdout))
        #expect(PoolTesting.text(result1.stdout) == "[it's]\n[a \"b\"]\n[x y'z\nw \\n $HOME `id`]\n[unset]\n\(directory)\n")

        let arguments = ["zero", "a b", "it's", "two\nlines", "\"q\"", "$HOME", "`echo x`", "", "tab\there"]
        let second = CommandRequest(argv: ["/bin/sh", "-c", "for a in \"$0\" \"$@\"; do printf '<%s>' \"$a\"; done; exit 3"] + arguments).scaled()
        let (warm2, cold2) = await PoolTesting.warmAndCold(pool, second)
        let result2 = try #require(warm2)
        #expect(result2.outcome == .exited(3))
        #expect(PoolTesting.text(result2.stdout) == PoolTesting.text(cold2.stdout))
        #expect(PoolTesting.text(result2.stdout) == arguments.map { "<\($0)>" }.joined())

        let third = CommandRequest(argv: ["/bin/sh", "-c", "echo out; echo err >&2; kill -TERM $$"]).scaled()
        let (warm3, cold3) = await PoolTesting.warmAndCold(pool, third)
        let result3 = try #require(warm3)
        #expect(result3.outcome == cold3.outcome)
        #expect(result3.outcome == .signaled(SIGTERM))
        #expect(PoolTesting.text(result3.stdout) == "out\n")
        #expect(PoolTesting.text(result3.stderr) == "err\n")
        #expect(PoolTesting.totals(pool).jobs == 3)
        await pool.shutdown()
    }

    @Test("python runner: sys.argv, cwd, environment, sys.path[0] and exit code for a script, -c and -m",
          .enabled(if: PoolTesting.pythonInstalled, "python3 is not installed"))
    func pythonRunnerMatchesDirectSpawn() async throws {
        let pool = ProcessPool(settings: PoolTesting.settings(min: 1, max: 4))
        defer { Task { await pool.shutdown() } }
        let directory = try PoolTesting.temporaryDirectory()
        let probe = """
        import json, os, sys
        print(json.dumps({"argv": sys.argv, "cwd": os.getcwd(), "probe": os.environ.get("PROBE"),
                          "path0": sys.path[0], "name": __name__, "file": globals().get("__file__")}))
        sys.exit(int(os.environ.get("PROBE_EXIT", "0")))
        """
        try probe.write(toFile: directory + "/probe.py", atomically: true, encoding: .utf8)
        let environment: [String: String?] = ["PROBE": "v a l'u\"e", "PROBE_EXIT": "4"]

        let requests = [
            CommandRequest(argv: ["python3", "probe.py", "a b", "c"], workingDirectory: directory, environment: environment).scaled(),
            CommandRequest(argv: ["python3", "-c", probe, "x", "y z"], workingDirectory: directory, environment: environment).scaled(),
            CommandRequest(argv: ["python3", "-m", "probe", "m1", "m 2"], workingDirectory: directory, environment: environment).scaled(),
        ]
        for request in requests {
            let (warm, cold) = await PoolTesting.warmAndCold(pool, request)
            let result = try #require(warm, "the pool takes \(request.argv.prefix(2))")
            #expect(result.outcome == .exited(4))
            #expect(result.outcome == cold.outcome)
            #expect(PoolTesting.text(result.stdout) == PoolTesting.text(cold.stdout), "\(request.argv.prefix(2))")
            let decoded = try JSONSerialization.jsonObject(with: Data(result.stdout.bytes)) as? [String: Any]
            #expect(decoded?["cwd"] as? String == directory)
            #expect(decoded?["probe"] as? String == "v a l'u\"e")
            #expect(decoded?["name"] as? String == "__main__")
        }

        // A nil override unsets a variable the engine has.
        let unset = try #require(await pool.run(CommandRequest(argv: ["python3", "-c", "import os; print(os.environ.get('PATH', 'absent'))"],
                                                               environment: ["PATH": nil]).scaled()))
        #expect(PoolTesting.text(unset.stdout) == "absent\n")

        let failing = CommandRequest(argv: ["python3", "-c", "def f():\n    raise ValueError('boom')\nf()"]).scaled()
        let result = try #require(await pool.run(failing))
        #expect(result.outcome == .exited(1))
        let stderr = PoolTesting.text(result.stderr)
        #expect(stderr.contains("ValueError: boom"))
        #expect(!stderr.contains("runner.py"), "the runner's own frames are not in the traceback: \(stderr)")
        let missing = try #require(await pool.run(CommandRequest(argv: ["python3", "no-such-script.py"], workingDirectory: directory).scaled()))
        #expect(missing.outcome == .exited(2))
        #expect(PoolTesting.text(missing.stderr).contains("can't open file"))
        await pool.shutdown()
    }

    @Test("node runner: CommonJS and ES module bins get the right process.argv, cwd, environment and exit code",
          .enabled(if: PoolTesting.nodeInstalled, "node is not installed"))
    func nodeRunnerRunsCommonJSAndESModules() async throws {
        let pool = ProcessPool(settings: PoolTesting.settings(min: 1, max: 4))
        defer { Task { await pool.shutdown() } }
        let node = try #require(ExecutableLookup.find("node"))
        let nested = PoolTesting.npxDemo.appendingPathComponent("src/nested").path
        for (bin, module) in [("hello/bin/hello.js", "commonjs"), ("esm-hello/bin/esm-hello.js", "esm")] {
            let script = PoolTesting.npxDemo.appendingPathComponent("node_modules/\(bin)").path
            let request = CommandRequest(argv: [node, script, "a b", "it's", "x\ny"], workingDirectory: nested,
                                         environment: ["HELLO_NAME": "warm \"node\"", "HELLO_EXIT": "6"]).scaled()
            let (warm, cold) = await PoolTesting.warmAndCold(pool, request)
            let result = try #require(warm)
            #expect(result.outcome == .exited(6))
            #expect(result.outcome == cold.outcome)
            #expect(PoolTesting.text(result.stdout) == PoolTesting.text(cold.stdout))
            let decoded = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.bytes)) as? [String: Any])
            #expect(decoded["module"] as? String == module)
            #expect(decoded["argv"] as? [String] == ["a b", "it's", "x\ny"])
            #expect(decoded["script"] as? String == script)
            #expect(decoded["cwd"] as? String == nested)
            #expect(decoded["helloName"] as? String == "warm \"node\"")
            #expect(decoded["isMain"] as? Bool == true)
        }

        let directory = try PoolTesting.temporaryDirectory()
        try "function f() { throw new Error('boom') }\nf()\n".write(toFile: directory + "/throws.js", atomically: true, encoding: .utf8)
        let failed = try #require(await pool.run(CommandRequest(argv: ["node", "throws.js"], workingDirectory: directory).scaled()))
        #expect(failed.outcome == .exited(1))
        #expect(PoolTesting.text(failed.stderr).contains("Error: boom"))
        // The job's exceptions are ordinary uncaught exceptions: its own handler sees them.
        try "process.on('uncaughtException', (e) => { console.log('caught', e.message); process.exitCode = 3 })\nthrow new Error('x')\n"
            .write(toFile: directory + "/handled.js", atomically: true, encoding: .utf8)
        let (handledWarm, handledCold) = await PoolTesting.warmAndCold(pool, CommandRequest(argv: ["node", "handled.js"], workingDirectory: directory).scaled())
        let handled = try #require(handledWarm)
        #expect(handled.outcome == .exited(3))
        #expect(handled.outcome == handledCold.outcome)
        #expect(PoolTesting.text(handled.stdout) == "caught x\n")
        #expect(PoolTesting.text(handled.stdout) == PoolTesting.text(handledCold.stdout))
        await pool.shutdown()
    }

    @Test("a job runs only in a runner booted with its boot environment (PYTHONPATH, NODE_OPTIONS)")
    func bootEnvironmentSelectsTheRunner() async throws {
        let pool = ProcessPool(settings: PoolTesting.settings(min: 1, max: 4))
        defer { Task { await pool.shutdown() } }
        let directory = try PoolTesting.temporaryDirectory()
        if PoolTesting.pythonInstalled {
            let check = ["python3", "-c", "import sys; print(\(String(reflecting: directory)) in sys.path)"]
            let plain1 = try #require(await pool.run(CommandRequest(argv: check).scaled()))
            let withPath = try #require(await pool.run(CommandRequest(argv: check, environment: ["PYTHONPATH": directory]).scaled()))
            let plain2 = try #require(await pool.run(CommandRequest(argv: check).scaled()))
            #expect(PoolTesting.text(plain1.stdout) == "False\n")
            #expect(PoolTesting.text(withPath.stdout) == "True\n")
            #expect(PoolTesting.text(plain2.stdout) == "False\n")
            #expect(pool.snapshot().contains { $0.runtime.hasSuffix("+PYTHONPATH") && $0.jobs == 1 })
        }
        if PoolTesting.nodeInstalled {
            try "globalThis.preloaded = 'yes';\n".write(toFile: directory + "/preload.js", atomically: true, encoding: .utf8)
            try "console.log(globalThis.preloaded ?? 'no');\n".write(toFile: directory + "/check.js", atomically: true, encoding: .utf8)
            let check = ["node", directory + "/check.js"]
            let plain = try #require(await pool.run(CommandRequest(argv: check).scaled()))
            let preloaded = try #require(await pool.run(CommandRequest(argv: check, environment: ["NODE_OPTIONS": "--require \(directory)/preload.js"]).scaled()))
            #expect(PoolTesting.text(plain.stdout) == "no\n")
            #expect(PoolTesting.text(preloaded.stdout) == "yes\n")
            #expect(pool.snapshot().contains { $0.runtime.hasSuffix("+NODE_OPTIONS") && $0.jobs == 1 })
        }
        await pool.shutdown()
    }

    @Test("command lines a warm runner cannot run exactly are left to a direct spawn (nil)")
    func unsupportedCommandLinesAreNotPooled() async throws {
        let pool = ProcessPool(settings: PoolTesting.settings(min: 0, max: 2))
        defer { Task { await pool.shutdown() } }
        let unsupported: [CommandRequest] = [
            CommandRequest(argv: ["ls", "-l"]).scaled(),
            CommandRequest(argv: ["/bin/sh", "script.sh"]).scaled(),
            CommandRequest(argv: ["/bin/sh", "-e", "-c", "true"]).scaled(),
            CommandRequest(argv: ["/bin/sh", "-c"]).scaled(),
            CommandRequest(argv: ["node", "-e", "1"]).scaled(),
            CommandRequest(argv: ["node", "--inspect", "x.js"]).scaled(),
            CommandRequest(argv: ["node"]).scaled(),
            CommandRequest(argv: ["python3", "-u", "x.py"]).scaled(),
            CommandRequest(argv: ["python3"]).scaled(),
            CommandRequest(argv: ["python3", "-m"]).scaled(),
            CommandRequest(argv: ["/bin/sh", "-c", "true"], environment: ["NOT-A-NAME": "x"]).scaled(),
            CommandRequest(argv: ["/bin/sh", "-c", "true"], workingDirectory: "/no/such/directory").scaled(),
        ]
        for request in unsupported {
            #expect(await pool.run(request) == nil, "\(request.argv)")
        }
        #expect(PoolTesting.totals(pool).jobs == 0)
        await pool.shutdown()
    }

    // MARK: crashes

    @Test("a runner killed while idle is replaced and counted as a crash; the next job runs")
    func idleRunnerKilledIsReplaced() async throws {
        let pool = ProcessPool(settings: PoolTesting.settings(min: 1, max: 3))
        defer { Task { await pool.shutdown() } }
        pool.prewarm(runtimes: ["sh"])
        #expect(await PoolTesting.eventually { PoolTesting.runners(pool).contains { $0.phase == "warm" && $0.pid != nil } })
        let victim = try #require(PoolTesting.runners(pool).first { $0.phase == "warm" }?.pid)
        kill(victim, SIGKILL)
        #expect(await PoolTesting.eventually {
            PoolTesting.totals(pool).crashes == 1
                && PoolTesting.runners(pool).contains { $0.phase == "warm" && $0.pid != nil && $0.pid != victim }
        })
        let result = try #require(await pool.run(CommandRequest(argv: ["/bin/sh", "-c", "echo fine"]).scaled()))
        #expect(result.outcome == .exited(0))
        #expect(PoolTesting.text(result.stdout) == "fine\n")
        #expect(pool.diagnostics().highWater <= 3)
        await pool.shutdown()
    }

    @Test("a job whose runner dies before starting it is retried once on another runner and succeeds")
    func jobOnRunnerKilledBeforeStartIsRetried() async throws {
        let pool = ProcessPool(settings: PoolTesting.settings(min: 1, max: 2))
        defer { Task { await pool.shutdown() } }
        pool.prewarm(runtimes: ["sh"])
        #expect(await PoolTesting.eventually {
            let runners = PoolTesting.runners(pool)
            return runners.count == 1 && runners[0].phase == "warm" && runners[0].pid != nil
        })
        let victim = try #require(PoolTesting.runners(pool).first?.pid)
        // Stopped, it cannot read the job the pool writes to it; then it dies with the job unread.
        kill(victim, SIGSTOP)
        let job = Task { await pool.run(CommandRequest(argv: ["/bin/sh", "-c", "echo retried"]).scaled()) }
        #expect(await PoolTesting.eventually { PoolTesting.runners(pool).contains { $0.pid == victim && $0.phase == "busy" } })
        kill(victim, SIGKILL)
        let result = try #require(await job.value)
        #expect(result.outcome == .exited(0))
        #expect(PoolTesting.text(result.stdout) == "retried\n")
        let stats = PoolTesting.totals(pool)
        #expect(stats.retries == 1)
        #expect(stats.crashes == 1)
        #expect(stats.jobs == 2)
        #expect(pool.diagnostics().highWater <= 2)
        await pool.shutdown()
    }

    @Test("a runner killed during its job gives a clear failure, is counted as a crash and takes the job's children along")
    func runnerKilledDuringJobFails() async throws {
        let pool = ProcessPool(settings: PoolTesting.settings(min: 0, max: 2))
        defer { Task { await pool.shutdown() } }
        let job = Task {
            await pool.run(CommandRequest(argv: ["/bin/sh", "-c", "sleep 300 & wait"], timeout: .seconds(600)))
        }
        #expect(await PoolTesting.eventually { PoolTesting.runners(pool).contains { $0.phase == "running" && $0.pid != nil } })
        let victim = try #require(PoolTesting.runners(pool).first { $0.phase == "running" }?.pid)
        #expect(await PoolTesting.eventually { PoolTesting.liveMembers(ofGroup: victim).count >= 2 }, "shell and sleep")
        kill(victim, SIGKILL)
        let result = try #require(await job.value)
        #expect(result.outcome == .signaled(SIGKILL))
        #expect(result.outcome.summary == "killed by signal 9 (SIGKILL)")
        #expect(PoolTesting.totals(pool).crashes == 1)
        #expect(PoolTesting.liveMembers(ofGroup: victim).isEmpty)
        let next = try #require(await pool.run(CommandRequest(argv: ["/bin/sh", "-c", "echo next"]).scaled()))
        #expect(next.outcome == .exited(0))
        await pool.shutdown()
    }

    // MARK: limits

    @Test("never more than max live runners, across runtimes, under a burst of jobs")
    func maxIsNeverExceeded() async throws {
        let pool = ProcessPool(settings: PoolTesting.settings(min: 2, max: 3))
        defer { Task { await pool.shutdown() } }
        let sampler = Task {
            var most = 0
            while !Task.isCancelled {
                most = max(most, pool.diagnostics().live)
                try? await Task.sleep(for: .milliseconds(2))
            }
            return most
        }
        let python = PoolTesting.pythonInstalled
        let outputs = await withTaskGroup(of: (Int, String?).self) { group in
            for index in 0..<16 {
                group.addTask {
                    let argv = python && index % 3 == 0
                        ? ["python3", "-c", "import sys, time; time.sleep(0.05); print(sys.argv[1])", "\(index)"]
                        : ["/bin/sh", "-c", "sleep 0.05; echo \(index)"]
                    let result = await pool.run(CommandRequest(argv: argv).scaled())
                    return (index, result.flatMap { $0.outcome == .exited(0) ? PoolTesting.text($0.stdout) : nil })
                }
            }
            return await group.reduce(into: [Int: String?]()) { $0[$1.0] = $1.1 }
        }
        sampler.cancel()
        let most = await sampler.value
        for index in 0..<16 { #expect(outputs[index] == "\(index)\n", "job \(index)") }
        #expect(pool.diagnostics().highWater <= 3)
        #expect(most <= 3)
        #expect(PoolTesting.totals(pool).jobs == 16)
        await pool.shutdown()
    }

    @Test("spares above min exit after the idle timeout; the min spares stay")
    func sparesAboveMinRetireAfterIdleTimeout() async throws {
        let pool = ProcessPool(settings: PoolTesting.settings(min: 1, max: 5, idleTimeout: .milliseconds(300)))
        defer { Task { await pool.shutdown() } }
        pool.prewarm(runtimes: ["sh"], spares: 4)
        #expect(PoolTesting.totals(pool).spawned == 4)
        #expect(await PoolTesting.eventually {
            let runners = PoolTesting.runners(pool)
            return runners.count == 1 && runners[0].phase == "warm"
        })
        let survivor = PoolTesting.runners(pool).first?.pid
        try await Task.sleep(for: .seconds(1))
        let runners = PoolTesting.runners(pool)
        #expect(runners.count == 1)
        #expect(runners.first?.pid == survivor)
        #expect(PoolTesting.totals(pool).crashes == 0)
        #expect(PoolTesting.totals(pool).spawned == 4)
        await pool.shutdown()
    }

    // MARK: ending jobs

    @Test("a timed-out job on a warm runner: the runner and its children are gone")
    func timedOutJobEndsItsGroup() async throws {
        let pool = ProcessPool(settings: PoolTesting.settings(min: 1, max: 2))
        defer { Task { await pool.shutdown() } }
        let request = CommandRequest(argv: ["/bin/sh", "-c", "sleep 300 & (trap '' TERM; sleep 300) & echo started; wait"],
                                     timeout: .seconds(2), gracePeriod: .milliseconds(300))
        let watcher = Task { () -> Int32? in
            for _ in 0..<30000 {
                if let pid = PoolTesting.runners(pool).first(where: { $0.phase == "running" })?.pid { return pid }
                try? await Task.sleep(for: .milliseconds(2))
            }
            return nil
        }
        let result = try #require(await pool.run(request))
        let runner = try #require(await watcher.value)
        #expect(result.outcome == .timedOut)
        #expect(PoolTesting.text(result.stdout) == "started\n")
        #expect(!processIsAlive(runner))
        #expect(PoolTesting.liveMembers(ofGroup: runner).isEmpty)
        #expect(PoolTesting.totals(pool).crashes == 0)
        await pool.shutdown()
    }

    @Test("a cancelled job ends its runner's group and says cancelled")
    func cancelledJobEndsItsGroup() async throws {
        let pool = ProcessPool(settings: PoolTesting.settings(min: 0, max: 2))
        defer { Task { await pool.shutdown() } }
        let job = Task { await pool.run(CommandRequest(argv: ["/bin/sh", "-c", "sleep 300 & wait"], timeout: .seconds(600))) }
        #expect(await PoolTesting.eventually { PoolTesting.runners(pool).contains { $0.phase == "running" && $0.pid != nil } })
        let runner = try #require(PoolTesting.runners(pool).first { $0.phase == "running" }?.pid)
        job.cancel()
        let result = try #require(await job.value)
        #expect(result.outcome == .cancelled)
        #expect(PoolTesting.liveMembers(ofGroup: runner).isEmpty)
        await pool.shutdown()
    }

    @Test("no orphan processes after shutdown, with idle spares of every runtime and a running job")
    func shutdownLeavesNoOrphans() async throws {
        let pool = ProcessPool(settings: PoolTesting.settings(min: 2, max: 8))
        var runtimes = ["sh"]
        if PoolTesting.pythonInstalled { runtimes.append("python3") }
        if PoolTesting.nodeInstalled { runtimes.append("node") }
        pool.prewarm(runtimes: runtimes)
        let job = Task { await pool.run(CommandRequest(argv: ["/bin/sh", "-c", "sleep 300 & wait"], timeout: .seconds(600))) }
        #expect(await PoolTesting.eventually {
            let runners = PoolTesting.runners(pool)
            return runners.contains { $0.phase == "running" } && runners.filter { $0.phase == "warm" }.count >= 2 * runtimes.count
        })
        let pids = PoolTesting.runners(pool).compactMap(\.pid)
        #expect(pids.count >= 2 * runtimes.count + 1)
        await pool.shutdown()
        let result = try #require(await job.value)
        #expect(result.outcome == .cancelled)
        for pid in pids {
            #expect(!processIsAlive(pid), "runner \(pid)")
            #expect(PoolTesting.liveMembers(ofGroup: pid).isEmpty, "group \(pid)")
        }
        #expect(pool.diagnostics().live == 0)
        #expect(await pool.run(CommandRequest(argv: ["/bin/sh", "-c", "true"]).scaled()) == nil)
    }
}
