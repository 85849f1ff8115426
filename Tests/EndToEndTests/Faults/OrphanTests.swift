import Foundation
import Testing
import TestSupport

/// Cybernetic SIGKILLed while tasks, warm runners, a service phase and detached grandchildren are
/// alive: nothing it started may survive it. Asserted over the process table by pid, process group
/// and session, and by a tag in the command lines.
@Suite(.watchdog, .serialized) struct OrphanTests {
    /// A sleep length unique to one test run, so that its processes can be told from any other's.
    static func tag() -> String { "3\(Int.random(in: 100 ... 999)).\(Int.random(in: 100_000 ... 999_999))" }

    /// `sleep TAG` itself, spawned directly (by path) or by a shell (by name).
    static func isSleep(_ row: ProcessRow, _ tag: String) -> Bool {
        let words = row.commandLine.split(separator: " ")
        return words.count == 2 && words[0].hasSuffix("sleep") && words[1] == tag
    }

    @Test func nothingSurvivesCyberneticBeingKilledMidRun() async throws {
        let tag = Self.tag()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("w.toml")
        try """
        [queue]
        max_concurrency = 16
        [process_pool]
        min = 3
        max = 8
        runtimes = ["sh"]

        [[phase]]
        name = "db"
        run = ["sleep", "\(tag)"]
        service = true

        [[task]]
        name = "long"
        run = ["sleep", "\(tag)"]
        count = 3
        timeout = "1h"

        [[task]]
        name = "shell-long"
        run = "sleep \(tag); echo never"
        timeout = "1h"

        [[task]]
        name = "detaches"
        run = "setsid sleep \(tag) & nohup sleep \(tag) >/dev/null 2>&1 & sleep \(tag)"
        timeout = "1h"

        [[task]]
        name = "ignores-term"
        run = ["sh", "-c", "trap '' TERM; sleep \(tag)"]
        timeout = "1h"
        """.write(to: config, atomically: true, encoding: .utf8)

        let binary = try RunningBinary(["--headless", "--duration", "600", "--config", config.path], in: dir)
        // 1 service + 3 + 1 + 3 (detaches) + 1 sleeps, and the warm shell runners.
        let everythingUp = await Poll.until(.seconds(60)) {
            let tree = ProcessTable.descendants(of: binary.pid)
            return tree.filter { Self.isSleep($0, tag) }.count >= 9
                && tree.contains { $0.commandLine.contains("warm shell runner") }
        }
        let tree = ProcessTable.descendants(of: binary.pid)
        try #require(everythingUp, "workload never came up: \(tree.map(\.commandLine))\n\(binary.stderr)")
        #expect(tree.contains { $0.commandLine.contains("cybernetic-guard") }, "the watchdog runs")
        let seen = ProcessTable.identities(tree)
        #expect(Set(tree.map(\.session)).count >= 8, "tasks run in sessions of their own")

        let tokens = Set(tree.compactMap { ProcessTable.runToken($0.pid) })
        #expect(tokens.count == 1, "every child carries the one run token: \(tokens)")
        await binary.kill(SIGKILL)
        let cutoff = ProcessTable.nowTicks()
        var left: [ProcessRow] = []
        let clean = await Poll.until(.seconds(15)) {
            left = ProcessTable.survivors(pids: seen.pids, groups: seen.groups, tag: "sleep \(tag)",
                                          tokens: tokens, startedBefore: cutoff)
            return left.isEmpty
        }
        // Do not leave them behind for the next test, whatever the verdict.
        for row in left { kill(row.pid, SIGKILL) }
        #expect(clean, "survived cybernetic: \(left.map { "\($0.pid) \($0.commandLine.prefix(60))" })")
    }

    @Test func nothingSurvivesCyberneticBeingKilledDuringStartUpAndExec() async throws {
        let tag = Self.tag()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("w.toml")
        try """
        [[phase]]
        name = "slow-boot"
        run = ["sleep", "\(tag)"]
        timeout = "1h"

        [[phase]]
        name = "waits-for-health"
        run = ["true"]
        health = "sleep \(tag)"
        timeout = "1h"
        """.write(to: config, atomically: true, encoding: .utf8)
        let run = try RunningBinary(["--headless", "--config", config.path], in: dir)
        let exec = try RunningBinary(["exec", "--no-cache", "--", "sh", "-c", "sleep \(tag) & sleep \(tag)"], in: dir)
        let up = await Poll.until(.seconds(60)) {
            ProcessTable.descendants(of: run.pid).filter { Self.isSleep($0, tag) }.count >= 2
                && ProcessTable.descendants(of: exec.pid).filter { Self.isSleep($0, tag) }.count >= 2
        }
        let tree = ProcessTable.descendants(of: run.pid) + ProcessTable.descendants(of: exec.pid)
        try #require(up, "never came up: \(tree.map(\.commandLine))")
        let seen = ProcessTable.identities(tree)
        await run.kill(SIGKILL)
        await exec.kill(SIGKILL)
        let cutoff = ProcessTable.nowTicks()
        var left: [ProcessRow] = []
        let clean = await Poll.until(.seconds(15)) {
            left = ProcessTable.survivors(pids: seen.pids, groups: seen.groups, tag: "sleep \(tag)",
                                          startedBefore: cutoff)
            return left.isEmpty
        }
        for row in left { kill(row.pid, SIGKILL) }
        #expect(clean, "survived cybernetic: \(left.map { "\($0.pid) \($0.commandLine.prefix(60))" })")
    }
}
