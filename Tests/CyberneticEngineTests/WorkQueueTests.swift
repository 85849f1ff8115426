import CyberneticEngine
import Synchronization
import Testing
import TestSupport

private final class Gauge: Sendable {
    let live = Atomic<Int>(0)
    let peak = Atomic<Int>(0)
}

@Suite(.watchdog) struct WorkQueueTests {
    @Test func itBoundsConcurrencyAndRunsEverything() async throws {
        let queue = WorkQueue(capacity: 1000, limit: StaticLimit(limit: 4))
        let gauge = Gauge()
        try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<200 {
                group.addTask {
                    try await queue.run {
                        let now = gauge.live.add(1, ordering: .relaxed).newValue
                        gauge.peak.max(now, ordering: .relaxed)
                        await Task.yield()
                        gauge.live.subtract(1, ordering: .relaxed)
                        return i
                    }
                }
            }
            var sum = 0
            for try await value in group { sum += value }
            #expect(sum == (0..<200).reduce(0, +))
        }
        #expect(gauge.peak.load(ordering: .relaxed) <= 4)
        #expect(queue.maxInFlight <= 4)
        #expect(queue.depth == 0 && queue.inFlight == 0)
    }

    @Test func aFullQueueThrowsAtOnce() async throws {
        let queue = WorkQueue(capacity: 2, limit: StaticLimit(limit: 1))
        queue.setPaused(true)
        let first = Task { try await queue.run { 1 } }
        let second = Task { try await queue.run { 1 } }
        while queue.depth < 2 { await Task.yield() }
        await #expect(throws: WorkQueue.Failure.full) { try await queue.run { 1 } }
        queue.setPaused(false)
        #expect(try await first.value == 1)
        #expect(try await second.value == 1)
    }

    @Test func cancellingAWaiterFreesItsPlace() async throws {
        let queue = WorkQueue(capacity: 10, limit: StaticLimit(limit: 1))
        queue.setPaused(true)
        let task = Task { try await queue.run { 1 } }
        while queue.depth < 1 { await Task.yield() }
        task.cancel()
        await #expect(throws: WorkQueue.Failure.cancelled) { try await task.value }
        #expect(queue.depth == 0)
    }
}
