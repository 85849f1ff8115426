import Foundation
import TestSupport

/// One row of the process table, read from /proc.
struct ProcessRow: Sendable, Hashable {
    var pid: Int32
    var parent: Int32
    var group: Int32
    var session: Int32
    var state: Character
    var commandLine: String
    /// When it started, in clock ticks since boot: tells a survivor from a newcomer that reuses a pid.
    var startTicks: UInt64

    var isZombie: Bool { state == "Z" || state == "X" }
}

/// The process table as the tests see it: every assertion about orphans is made over this, by
/// process group and session, not over what the engine believes it started.
enum ProcessTable {
    static func rows() -> [ProcessRow] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry -> ProcessRow? in
            guard let pid = Int32(entry) else { return nil }
            return row(pid)
        }
    }

    static func row(_ pid: Int32) -> ProcessRow? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let state = fields[0].first, let parent = Int32(fields[1]),
              let group = Int32(fields[2]), let session = Int32(fields[3]),
              let start = UInt64(fields[19]) else { return nil }
        let raw = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
        let commandLine = String(decoding: raw.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
        return ProcessRow(pid: pid, parent: parent, group: group, session: session, state: state,
                          commandLine: commandLine, startTicks: start)
    }

    /// Now, in the clock ticks of `startTicks`.
    static func nowTicks() -> UInt64 {
        let uptime = (try? String(contentsOfFile: "/proc/uptime", encoding: .utf8))?.split(separator: " ").first
        return UInt64((Double(uptime ?? "0") ?? 0) * Double(sysconf(Int32(_SC_CLK_TCK)))) + 1
    }

    /// The run token (`CYBERNETIC_RUN_ID`) in a process's environment, if any.
    static func runToken(_ pid: Int32) -> String? {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ")) else { return nil }
        for entry in data.split(separator: 0) {
            let text = String(decoding: entry, as: UTF8.self)
            if text.hasPrefix("CYBERNETIC_RUN_ID=") { return String(text.dropFirst("CYBERNETIC_RUN_ID=".count)) }
        }
        return nil
    }

    /// Direct children of `pid`, from /proc/PID/task/*/children (fast: no scan of the whole table,
    /// which matters on a loaded machine where a full scan can take longer than a runner lives).
    static func children(of pid: Int32) -> [Int32] {
        let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return threads.flatMap { thread in
            ((try? String(contentsOfFile: "/proc/\(pid)/task/\(thread)/children", encoding: .utf8)) ?? "")
                .split(separator: " ").compactMap { Int32($0) }
        }
    }

    /// `root` and everything below it, live ones only.
    static func descendants(of root: Int32) -> [ProcessRow] {
        var result: [ProcessRow] = []
        var frontier = [root]
        var seen: Set<Int32> = [root]
        while let next = frontier.popLast() {
            for child in children(of: next) where seen.insert(child).inserted {
                guard let row = row(child), !row.isZombie else { continue }
                result.append(row)
                frontier.append(child)
            }
        }
        return result
    }

    /// Live processes started before `cutoff` (ticks) that are ours: the same process as one in
    /// `pids` (pid and start time: pids wrap around), in one of `groups` (as process group or
    /// session) and started no later than a second after that group was last seen as ours (group
    /// ids are reused too), with `tag` in their command line, or carrying one of the run `tokens`.
    /// The test's own session and group never count.
    static func survivors(pids: [Int32: UInt64], groups: [Int32: UInt64], tag: String?, tokens: Set<String> = [],
                          startedBefore cutoff: UInt64 = .max) -> [ProcessRow] {
        let own = Set([getsid(0), getpgrp(), 0, 1])
        let slack = UInt64(sysconf(Int32(_SC_CLK_TCK)))
        func inOurGroup(_ row: ProcessRow) -> Bool {
            [row.group, row.session].contains { id in
                guard !own.contains(id), let lastSeen = groups[id] else { return false }
                return row.startTicks <= lastSeen + slack
            }
        }
        return rows().filter { row in
            guard !row.isZombie, row.pid != getpid(), row.startTicks <= cutoff else { return false }
            return pids[row.pid] == row.startTicks || inOurGroup(row)
                || (tag.map { row.commandLine.contains($0) } ?? false)
                || (!tokens.isEmpty && runToken(row.pid).map(tokens.contains) == true)
        }
    }

    /// What `survivors` needs to know about processes seen alive at one moment.
    static func identities(_ rows: [ProcessRow]) -> (pids: [Int32: UInt64], groups: [Int32: UInt64]) {
        let now = nowTicks()
        var pids: [Int32: UInt64] = [:], groups: [Int32: UInt64] = [:]
        for row in rows {
            pids[row.pid] = row.startTicks
            groups[row.group] = now
            groups[row.session] = now
        }
        return (pids, groups)
    }
}

/// The real binary started in the background (stdin closed, output to files), for tests that kill
/// it or watch it while it runs.
final class RunningBinary {
    let process: Spawned
    let scratch: URL

    init(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws {
        scratch = try temporaryDirectory()
        process = try Spawned([Binary.path] + arguments, directory: (directory ?? Binary.packageRoot).path,
                              environment: environment,
                              stdout: scratch.appendingPathComponent("out").path,
                              stderr: scratch.appendingPathComponent("err").path)
    }

    var pid: Int32 { process.pid }
    var isRunning: Bool { process.isRunning }

    /// Waits for the binary to exit (failing after `timeout`) and returns its exit code, or the
    /// number of the signal that ended it.
    @discardableResult
    func waitForExit(timeout: Duration = .seconds(600)) async throws -> Int32 {
        Binary.foundationStyle(try await process.exit(timeout: timeout))
    }

    var stdout: String { (try? String(contentsOf: scratch.appendingPathComponent("out"), encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: scratch.appendingPathComponent("err"), encoding: .utf8)) ?? "" }

    /// Sends `signal` and waits for the binary to exit (SIGKILL reaps at once).
    func kill(_ signal: Int32 = SIGKILL) async {
        process.kill(signal)
        _ = try? await process.exit()
    }

    deinit {
        process.kill(SIGKILL)
        try? FileManager.default.removeItem(at: scratch)
    }
}
