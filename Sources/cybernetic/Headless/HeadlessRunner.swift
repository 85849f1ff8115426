import CyberneticEngine
import Foundation
import Synchronization
import UnixSignals

/// Runs the engine without a terminal UI: one line per notable event, a status line every few
/// seconds, a summary, and the JSON / JUnit reports. Nothing it prints contains escape codes.
struct HeadlessRunner {
    struct Options {
        var duration: Double?
        var report: String?
        var junit: String?
        var abFlag: String?
        var failOnRegression = false
        var statusInterval: Double = 5
    }

    let engine: Engine
    let options: Options

    func run() async -> Int32 {
        let configuration = engine.configuration
        Console.out("cybernetic: running \(configuration.source) headless: \(configuration.phases.count) phases, \(configuration.tasks.count) tasks")
        let stopReason = StopReason()
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)

        let final: EngineSnapshot = await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await engine.run() }
            group.addTask {
                for await signal in signals {
                    stopReason.set(signal == .sigint ? "interrupted (SIGINT)" : "terminated (SIGTERM)",
                                   code: signal == .sigint ? 130 : 143)
                    engine.stop()
                }
            }
            if let duration = options.duration {
                group.addTask {
                    try? await Task.sleep(for: .milliseconds(Int64(duration * 1000)))
                    if !Task.isCancelled {
                        stopReason.set("duration", code: nil)
                        engine.stop()
                    }
                }
            }
            if let flag = options.abFlag {
                do {
                    try await engine.perform(.startABTest(flag))
                } catch {
                    Console.error("cybernetic: --ab \(flag): \(error)")
                    stopReason.set("usage error", code: 2)
                    engine.stop()
                }
            }
            let printer = EventPrinter(statusInterval: options.statusInterval)
            var last = engine.snapshot()
            for await snapshot in engine.snapshots() {
                printer.consume(snapshot)
                last = snapshot
                if snapshot.state == .idle {
                    stopReason.set("idle", code: nil)
                    engine.stop()
                } else if snapshot.state == .failed {
                    stopReason.set("startup failed", code: nil)
                    engine.stop()
                }
            }
            printer.consume(last)
            group.cancelAll()
            return last
        }

        let code = exitCode(for: final, forced: stopReason.code)
        printSummary(final, reason: stopReason.reason, code: code)
        writeReports(final, code: code, reason: stopReason.reason)
        return code
    }

    private func exitCode(for snapshot: EngineSnapshot, forced: Int32?) -> Int32 {
        forced ?? RunVerdict.exitCode(for: snapshot, failOnRegression: options.failOnRegression)
    }

    private func printSummary(_ snapshot: EngineSnapshot, reason: String, code: Int32) {
        let t = snapshot.totals
        let seconds = String(format: "%.1f", Double(snapshot.uptimeMs) / 1000)
        Console.out("""
        cybernetic: finished after \(seconds) s (\(reason)), exit \(code)
          tasks: \(t.submitted) submitted, \(t.completed) completed, \(t.failed) failed, \(t.timedOut) timed out, \(t.rejected) rejected, \(t.cancelled) cancelled
        """)
        let startup = snapshot.startup
        if !startup.phases.isEmpty {
            let path = startup.criticalPath.isEmpty ? "" : ", critical path \(startup.criticalPath.joined(separator: " -> "))"
            Console.out("  start-up: \(startup.state.rawValue) in \(startup.totalMs) ms\(path)")
        }
        let q = snapshot.queue
        Console.out("  queue: limit \(q.limit) (\(q.limiter)), max in flight \(q.maxInFlight), max depth \(q.maxDepth), \(q.throughputPerSecond)/s recently")
        Console.out("  latency ms: wait p50 \(q.waitMs.p50) p95 \(q.waitMs.p95) p99 \(q.waitMs.p99); run p50 \(q.runMs.p50) p95 \(q.runMs.p95) p99 \(q.runMs.p99)")
        for level in q.byPriority.reversed() where level.finished > 0 || level.maxDepth > 0 {
            Console.out("    \(level.priority.rawValue): \(level.finished) finished, max depth \(level.maxDepth), wait p95 \(level.waitMs.p95) ms, run p95 \(level.runMs.p95) ms")
        }
        let c = snapshot.cache
        if c.hits + c.misses > 0 {
            let tiers = c.tiers.map { tier in
                "\(tier.name) \(tier.hits)/\(tier.hits + tier.misses), \(tier.entries) entries"
                    + (tier.circuit.map { ", \(tier.bytesUp) B up, \(tier.bytesDown) B down, \(tier.errors) errors, circuit \($0.rawValue)" } ?? "")
            }.joined(separator: "; ")
            Console.out("  cache: \(c.hits) hits, \(c.misses) misses (\(Int((c.hitRate * 100).rounded()))%), \(c.stored) stored, \(c.capped) capped; \(tiers)")
            if c.restoredFiles + c.unchangedFiles + c.restoresRefused + c.outputsNotCached > 0 {
                Console.out("  outputs: \(c.restoredFiles) files restored (\(c.restoredBytes) bytes), \(c.unchangedFiles) up to date, "
                            + "\(c.restoresRefused) restores refused, \(c.outputsNotCached) runs not cached")
            }
        }
        let memory = snapshot.memory.classes.map { "\($0.name) \($0.inUse)/\($0.capacity) (high \($0.highWater), overflow \($0.overflow), \($0.slabs) slabs)" }
        Console.out("  memory pools\(snapshot.memory.pooled ? "" : " (off)"): " + memory.joined(separator: ", "))
        let o = snapshot.optimizations
        let kept = o.decisions.filter { $0.outcome == "kept" }.count, undone = o.decisions.filter { $0.outcome == "rolled back" }.count
        Console.out("  optimizer: revision \(o.revision) (known-good \(o.knownGoodRevision)), \(o.revisions.count - 1) change\(o.revisions.count == 2 ? "" : "s"), "
                    + "\(kept) kept, \(undone) rolled back; limit \(o.tuning.concurrency)"
                    + o.tuning.poolMin.sorted { $0.key < $1.key }.map { ", pool.min[\($0.key)] \($0.value)" }.joined())
        for test in o.abTests {
            Console.out("  A/B \(test.flag): B (on) \(test.verdict), p=\(String(format: "%.4g", test.pValue)), n=\(test.nA)/\(test.nB), "
                        + "median \(String(format: "%.1f", test.medianA))→\(String(format: "%.1f", test.medianB)) ms")
        }
        if !snapshot.healing.isEmpty {
            let open = snapshot.processPool.runtimes.filter { $0.circuit != .closed }.map { "\($0.runtime) \($0.circuit.rawValue)" }
            Console.out("  healing: \(snapshot.healing.count) action\(snapshot.healing.count == 1 ? "" : "s")"
                        + (open.isEmpty ? "" : "; circuit " + open.joined(separator: ", ")))
        }
        let failing = snapshot.tasks.filter { $0.failures > 0 }
        if !failing.isEmpty {
            Console.out("  failing tasks: " + failing.map { "\($0.name) (\($0.failures) of \($0.runs) runs)" }.joined(separator: ", "))
        }
    }

    private func writeReports(_ snapshot: EngineSnapshot, code: Int32, reason: String) {
        if let path = options.report {
            do {
                try RunReport(snapshot: snapshot, exitCode: code, reason: reason).json().write(to: URL(fileURLWithPath: path), options: .atomic)
                Console.out("  report: \(path)")
            } catch {
                Console.error("cybernetic: cannot write the report to \(path): \(error.localizedDescription)")
            }
        }
        if let path = options.junit {
            do {
                try Data(JUnitReport.xml(for: snapshot).utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
                Console.out("  junit: \(path)")
            } catch {
                Console.error("cybernetic: cannot write the JUnit file to \(path): \(error.localizedDescription)")
            }
        }
    }
}

/// Why the run ended; the first reason set wins.
final class StopReason: Sendable {
    private let state = Mutex<(reason: String, code: Int32?)?>(nil)

    func set(_ reason: String, code: Int32?) {
        state.withLock { if $0 == nil { $0 = (reason, code) } }
    }

    var reason: String { state.withLock { $0?.reason ?? "stopped" } }
    var code: Int32? { state.withLock { $0?.code } }
}
