import CyberneticEngine
import Foundation

/// Prints each notable event once, and a status line every `statusInterval` seconds.
final class EventPrinter {
    private var lastEventID: UInt64 = 0
    private var lastStatusMs: Int64 = 0
    private let statusIntervalMs: Int64

    init(statusInterval: Double) {
        statusIntervalMs = Int64(statusInterval * 1000)
    }

    func consume(_ snapshot: EngineSnapshot) {
        let fresh = snapshot.events.filter { $0.id > lastEventID }
        if let first = fresh.first, lastEventID > 0, first.id > lastEventID + 1 {
            Console.out("         (\(first.id - lastEventID - 1) events not shown: they left the event ring)")
        }
        for event in fresh where event.level != .debug {
            Console.out(Self.line(for: event, uptimeMs: snapshot.uptimeMs, now: snapshot.time))
            if let detail = event.detail {
                for line in detail.split(separator: "\n") { Console.out("         | \(line)") }
            }
        }
        if let last = fresh.last { lastEventID = last.id }
        if snapshot.uptimeMs - lastStatusMs >= statusIntervalMs {
            lastStatusMs = snapshot.uptimeMs
            Console.out(Self.status(snapshot))
        }
    }

    static func line(for event: EngineEvent, uptimeMs: Int64, now: Date) -> String {
        let at = Double(uptimeMs) / 1000 - now.timeIntervalSince(event.time)
        let level = event.level.rawValue.uppercased().padding(toLength: 8, withPad: " ", startingAt: 0)
        return String(format: "%7.2fs ", max(0, at)) + level + event.message
    }

    static func status(_ s: EngineSnapshot) -> String {
        let t = s.totals
        let paused = s.intakePaused ? " (intake paused)" : ""
        return String(format: "%7.2fs ", Double(s.uptimeMs) / 1000)
            + "STATUS  \(s.state.rawValue)\(paused): \(t.completed) ok, \(t.failed) failed, \(t.timedOut) timed out, "
            + "\(s.queue.inFlight)/\(s.queue.limit) running, \(s.queue.depth) queued, \(s.queue.throughputPerSecond)/s; revision \(s.optimizations.revision)"
    }
}
