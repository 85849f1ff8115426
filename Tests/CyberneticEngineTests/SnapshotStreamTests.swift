@testable import CyberneticEngine
import Foundation
import Testing
import TestSupport

@Suite(.watchdog) struct SnapshotStreamTests {
    @Test func aConsumerThatNeverReadsDoesNotBlockTheEngine() async throws {
        let config = try Workload.parse("""
        [[task]]
        name = "quick"
        run = ["true"]
        count = 40
        """)
        let engine = Engine(configuration: config, snapshotsPerSecond: 200)
        let stream = engine.snapshots()
        // Nobody reads `stream` while the whole workload runs.
        let final = try await engine.runUntilIdle()
        #expect(final.totals.completed == 40)

        var received: [EngineSnapshot] = []
        for await snapshot in stream { received.append(snapshot) }
        // Only the newest snapshot was buffered: far fewer than were published, and it is the final one.
        #expect(received.count == 1)
        #expect(received.last?.state == .stopped)
        #expect(received.last?.totals.completed == 40)
    }

    @Test func aSlowConsumerSkipsToTheNewestSnapshot() async throws {
        let config = try Workload.parse("""
        [[task]]
        name = "tick"
        run = ["sleep", "0.05"]
        count = 20
        """)
        let engine = Engine(configuration: config, snapshotsPerSecond: 100)
        async let final = engine.runUntilIdle()
        var sequences: [UInt64] = []
        for await snapshot in engine.snapshots() {
            sequences.append(snapshot.sequence)
            try await Task.sleep(for: .milliseconds(150))
        }
        let last = try await final
        #expect(last.totals.completed == 20)
        #expect(sequences == sequences.sorted())
        // Frames were dropped rather than queued: some consecutive reads skip sequence numbers.
        #expect(zip(sequences, sequences.dropFirst()).contains { $1 - $0 > 1 })
    }

    @Test func snapshotsAreConsistentWhileTasksRun() async throws {
        let config = try Workload.parse("""
        [queue]
        max_concurrency = 3
        [[task]]
        name = "a"
        run = ["true"]
        count = 30
        [[task]]
        name = "b"
        run = ["false"]
        count = 30
        """)
        let engine = Engine(configuration: config, snapshotsPerSecond: 200)
        async let final = engine.runUntilIdle()
        for await s in engine.snapshots() {
            let t = s.totals
            // Every submitted run is finished, waiting or running: in the same snapshot, always.
            #expect(t.submitted == t.completed + t.failed + t.timedOut + t.rejected + t.cancelled + s.queue.depth + s.queue.inFlight)
            #expect(s.tasks.map(\.runs).reduce(0, +) == t.completed + t.failed + t.timedOut + t.cancelled)
        }
        let last = try await final
        #expect(last.totals.completed == 30)
        #expect(last.totals.failed == 30)
    }

    @Test func eventsAreABoundedRing() {
        var log = EventLog()
        for i in 0..<(EventLog.capacity + 25) { log.append(.info, "event \(i)") }
        #expect(log.events.count == EventLog.capacity)
        #expect(log.events.first?.message == "event 25")
        #expect(log.events.last?.id == UInt64(EventLog.capacity + 25))
    }

    @Test func aFloodOfDebugEventsCannotPushErrorsOut() {
        var log = EventLog()
        log.append(.error, "the one that matters")
        for i in 0..<5_000 { log.append(.debug, "run \(i) finished") }
        log.append(.info, "later")
        let events = log.events
        #expect(events.contains { $0.message == "the one that matters" })
        #expect(events.filter { $0.level == .debug }.count == EventLog.debugCapacity)
        #expect(events.map(\.id) == events.map(\.id).sorted(), "oldest first")
        #expect(events.last?.message == "later")
    }

    @Test func snapshotsRoundTripThroughJSON() throws {
        let engine = Engine(configuration: try Workload.parse(""))
        let snapshot = engine.snapshot()
        let data = try JSONEncoder().encode(snapshot)
        let decoded = try JSONDecoder().decode(EngineSnapshot.self, from: data)
        #expect(decoded == snapshot)
    }
}
