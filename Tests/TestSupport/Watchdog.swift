import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Keeps a hung test from hanging the run, and a leftover process from holding it open.
///
/// Every suite carries `.watchdog`. A test case still running after `CYBERNETIC_TEST_LIMIT`
/// seconds (900 by default) ends the run: the report names every test still running with its age,
/// the threads' stacks (when gdb is installed) and the processes the run left; exit code 1.
/// When the run ends normally, processes the tests started and left behind are listed and
/// killed: they carry `CYBERNETIC_TEST_RUN` in their environment. Standard output is flushed
/// every second, so a log read from a pipe is never more than a second behind.
public struct Watchdog: SuiteTrait, TestTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(for test: Test, testCase: Test.Case?,
                             performing function: @Sendable () async throws -> Void) async throws {
        guard testCase != nil else { return try await function() }
        Self.start()
        let name = "\(test.displayName ?? test.name) (\(test.sourceLocation.fileID):\(test.sourceLocation.line))"
        let token = Self.running.begin(name)
        defer { Self.running.end(token) }
        try await function()
    }

    static let running = RunningTests()
    static let overdue = Mutex(false)
    static let marker = "CYBERNETIC_TEST_RUN"

    private static let started: Bool = {
        setenv(marker, "\(getpid())", 1)
        atexit {
            Watchdog.sweep(reason: "the run ended")
            // A test that ran past its limit fails the run even if it finished while gdb was attaching.
            if Watchdog.overdue.withLock({ $0 }) { _exit(1) }
        }
        let limit = ProcessInfo.processInfo.environment["CYBERNETIC_TEST_LIMIT"].flatMap(Double.init) ?? 900
        let thread = Thread { Watchdog.watch(limit: limit) }
        thread.name = "test watchdog"
        thread.start()
        return true
    }()

    /// Idempotent; the first call (before any test's body, or any `Spawned`) arms the watchdog.
    public static func start() { _ = started }

    private static func watch(limit: Double) {
        while true {
            sleep(1)
            fflush(nil)
            let now = Date()
            let overdue = running.all.filter { now.timeIntervalSince($0.since) > limit }
            guard !overdue.isEmpty else { continue }
            Self.overdue.withLock { $0 = true }
            var report = "\nWATCHDOG: \(overdue.map(\.name).joined(separator: ", ")) ran past \(Int(limit)) s "
                + "(CYBERNETIC_TEST_LIMIT). Still running:\n"
            for test in running.all.sorted(by: { $0.since < $1.since }) {
                report += "  \(Int(now.timeIntervalSince(test.since))) s  \(test.name)\n"
            }
            printError(report)
            printError(threadStacks())
            sweep(reason: "the watchdog ended the run")
            fflush(nil)
            _exit(1)
        }
    }

    /// Processes with this run's marker, other than the run itself: listed, then killed.
    static func sweep(reason: String) {
        let me = getpid()
        let needle = Array("\(marker)=\(me)\0".utf8)
        var left: [(pid: Int32, command: String)] = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), pid != me,
                  let environment = FileManager.default.contents(atPath: "/proc/\(pid)/environ"),
                  Array(environment).firstRange(of: needle) != nil else { continue }
            let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
            let command = String(decoding: raw.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            left.append((pid, String(command.prefix(160))))
        }
        guard !left.isEmpty else { return }
        var report = "\(reason) with \(left.count) process(es) the tests left behind; killing them:\n"
        for process in left {
            report += "  \(process.pid)  \(process.command)\n"
            _ = kill(process.pid, SIGKILL)
        }
        printError(report)
    }

    private static func printError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    private static func threadStacks() -> String {
        guard let gdb = ["/usr/bin/gdb", "/usr/local/bin/gdb"].first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else { return "(install gdb to see the threads' stacks)\n" }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("watchdog-\(getpid()).txt").path
        guard let child = try? Spawned([gdb, "-p", "\(getpid())", "-batch", "-ex", "thread apply all bt 25"],
                                       stdout: output) else { return "(gdb did not start)\n" }
        _ = try? child.wait(timeout: .seconds(120))
        return ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "") + "\n"
    }
}

extension Trait where Self == Watchdog {
    /// See `Watchdog`.
    public static var watchdog: Self { Watchdog() }
}

/// The test cases running now, with when each began.
final class RunningTests: @unchecked Sendable {
    struct Entry { var name: String; var since: Date }
    private let lock = NSLock()
    private var entries: [UInt64: Entry] = [:]
    private var next: UInt64 = 0

    func begin(_ name: String) -> UInt64 {
        lock.withLock {
            next += 1
            entries[next] = Entry(name: name, since: Date())
            return next
        }
    }

    func end(_ token: UInt64) { lock.withLock { _ = entries.removeValue(forKey: token) } }

    var all: [Entry] { lock.withLock { Array(entries.values) } }
}
