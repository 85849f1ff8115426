import Foundation
import TestSupport

/// Shared by the fault and load tests.
enum Faults {
    /// The long variants (100,000 tasks, 20 kills in a row) run only with CYBERNETIC_LONG_TESTS=1.
    static var long: Bool { ProcessInfo.processInfo.environment["CYBERNETIC_LONG_TESTS"] == "1" }

    static func write(_ text: String, to name: String, in dir: URL) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    static func json(_ url: URL) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return object
    }

    /// Every string in a decoded JSON value, keys included.
    static func strings(in value: Any) -> [String] {
        switch value {
        case let text as String: [text]
        case let list as [Any]: list.flatMap { strings(in: $0) }
        case let object as [String: Any]: object.flatMap { [$0.key] + strings(in: $0.value) }
        default: []
        }
    }

    static func totals(_ report: [String: Any]) -> [String: Int] {
        report["totals"] as? [String: Int] ?? [:]
    }

    static func task(_ report: [String: Any], _ name: String) -> [String: Any] {
        (report["tasks"] as? [[String: Any]])?.first { $0["name"] as? String == name } ?? [:]
    }

    /// Whether the accounting identity of the design's first promise holds.
    static func balanced(_ t: [String: Int]) -> Bool {
        guard let submitted = t["submitted"] else { return false }
        return submitted == t["completed", default: 0] + t["failed", default: 0] + t["timedOut", default: 0]
            + t["rejected", default: 0] + t["cancelled", default: 0]
    }

    /// Resident set size of `pid` in KiB (0 once it is gone).
    static func residentKiB(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    /// Watches a running binary: peak resident memory, and every session / process group seen
    /// among its descendants, for the orphan check once it has exited.
    final class Watch: @unchecked Sendable {
        private let lock = NSLock()
        private var _peakKiB = 0
        private var _groups: [Int32: UInt64] = [:]
        private var _pids: [Int32: UInt64] = [:]
        private var _tokens: Set<String> = []
        private var running = true
        private var thread: Thread?

        init(_ pid: Int32, every interval: TimeInterval = 0.1, onTick: (@Sendable () -> Void)? = nil) {
            let thread = Thread { [self] in
                while lock.withLock({ running }) {
                    let rss = Faults.residentKiB(pid)
                    let tree = ProcessTable.descendants(of: pid)
                    // Not `lazy.compactMap { }.first`: that calls the closure twice, and a process
                    // that exits in between turns the second call's nil into a trap.
                    var token: String?
                    for row in tree where token == nil { token = ProcessTable.runToken(row.pid) }
                    lock.withLock {
                        if let token { _tokens.insert(token) }
                        _peakKiB = max(_peakKiB, rss)
                        let seen = ProcessTable.identities(tree)
                        _pids.merge(seen.pids) { _, new in new }
                        _groups.merge(seen.groups) { _, new in new }
                    }
                    onTick?()
                    Thread.sleep(forTimeInterval: interval)
                }
            }
            self.thread = thread
            thread.start()
        }

        func stop() async {
            // The thread's closure holds this watch and the watch held the thread: let go of the
            // thread, or neither is ever freed (LeakSanitizer found the cycle).
            lock.withLock { running = false; thread = nil }
            try? await Task.sleep(for: .milliseconds(200))
        }

        var peakMiB: Int { lock.withLock { _peakKiB / 1024 } }
        var groups: [Int32: UInt64] { lock.withLock { _groups } }
        var pids: [Int32: UInt64] { lock.withLock { _pids } }
        var tokens: Set<String> { lock.withLock { _tokens } }
    }

    /// Live processes left from `watch`'s sessions and groups (or with `tag` in their command line),
    /// after waiting up to `timeout` for them to go. Kills them, so one failure does not leak into
    /// the next test.
    /// Call right after the binary has exited.
    static func orphans(of watch: Watch, tag: String?, timeout: Duration = .seconds(10)) async -> [String] {
        let cutoff = ProcessTable.nowTicks()
        var left: [ProcessRow] = []
        _ = await Poll.until(timeout) {
            left = ProcessTable.survivors(pids: watch.pids, groups: watch.groups, tag: tag, tokens: watch.tokens,
                                          startedBefore: cutoff)
            return left.isEmpty
        }
        for row in left { kill(row.pid, SIGKILL) }
        return left.map { "\($0.pid) \($0.commandLine.prefix(60))" }
    }
}
