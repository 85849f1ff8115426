@testable import CyberneticEngine
import PropertyBased
import Synchronization
import Testing
import TestSupport

/// The queue's heap hands out slots by priority and, inside one priority, in submission order;
/// with aging, by virtual arrival time (arrival minus one aging step per priority rank), then
/// submission order. Checked on the real `QueueState`, one slot wide, through its continuations.
@Suite(.watchdog) struct QueueOrderProperties {
    /// The queue and what the waiting runs saw, shared by their tasks.
    final class Line: Sendable {
        let state: Mutex<QueueState>
        let granted = Mutex<[Int]>([])
        let registered = Atomic(0)

        init(agingStep: Double) {
            state = Mutex(QueueState(capacity: 100_000, limiter: StaticLimit(limit: 1), agingStep: agingStep))
        }
    }

    /// Admits `runs` (priority, arrival time) with intake paused, withdraws `cancelled`, lets every
    /// other run wait, then opens intake one slot wide. Returns the runs' positions in the order
    /// their slots were granted.
    static func grantOrder(_ runs: [(TaskPriority, Double)], agingStep: Double, cancelled: Set<Int> = []) async -> [Int] {
        let line = Line(agingStep: agingStep)
        line.state.withLock { $0.setPaused(true) }
        let sequences = runs.map { priority, arrival in line.state.withLock { $0.admit(priority, now: arrival)! } }
        for index in cancelled { line.state.withLock { $0.cancel(sequences[index]) } }
        let waiting = runs.indices.filter { !cancelled.contains($0) }
        await withTaskGroup(of: Void.self) { group in
            for index in waiting {
                let sequence = sequences[index]
                group.addTask {
                    let ok = await withCheckedContinuation { continuation in
                        line.state.withLock { $0.wait(sequence, continuation: continuation) }
                        line.registered.add(1, ordering: .sequentiallyConsistent)
                    }
                    guard ok else { return }
                    // Logged before the slot is given back: with one slot, this is grant order.
                    line.granted.withLock { $0.append(index) }
                    line.state.withLock { $0.finish(rtt: .zero, dropped: false) }
                }
            }
            while line.registered.load(ordering: .sequentiallyConsistent) < waiting.count {
                try? await Task.sleep(for: .milliseconds(1))
            }
            line.state.withLock { $0.setPaused(false) }
        }
        return line.granted.withLock { $0 }
    }

    static let priorities = Gen<TaskPriority>.case.array(of: 0...40)

    @Test func runsAdmittedTogetherGoByPriorityThenSubmissionOrder() async {
        await propertyCheck(count: 60, input: Self.priorities) { priorities in
            let runs = priorities.map { ($0, 0.0) }
            let expected = priorities.indices.sorted { a, b in
                priorities[a] != priorities[b] ? priorities[a] > priorities[b] : a < b
            }
            #expect(await Self.grantOrder(runs, agingStep: 10) == expected)
        }
    }

    @Test func withAgingTheOrderIsVirtualArrivalThenSubmission() async {
        let gaps = Gen.int(in: 0...6).array(of: 0...40)
        await propertyCheck(count: 60, input: Self.priorities, gaps, Gen.int(in: 1...10)) { priorities, gaps, step in
            var clock = 0.0
            let runs = zip(priorities, gaps).map { priority, gap in
                clock += Double(gap)
                return (priority, clock)
            }
            let key = { (index: Int) in runs[index].1 - Double(runs[index].0.rank) * Double(step) }
            let expected = runs.indices.sorted { key($0) != key($1) ? key($0) < key($1) : $0 < $1 }
            #expect(await Self.grantOrder(runs, agingStep: Double(step)) == expected)
        }
    }

    @Test func withdrawnRunsAreNeverGrantedAndTheRestKeepTheirOrder() async {
        let withdrawals = Gen.bool(0.3).array(of: 40)
        await propertyCheck(count: 60, input: Self.priorities, withdrawals) { priorities, withdraw in
            let runs = priorities.map { ($0, 0.0) }
            let cancelled = Set(priorities.indices.filter { withdraw.indices.contains($0) && withdraw[$0] })
            let expected = priorities.indices.filter { !cancelled.contains($0) }.sorted { a, b in
                priorities[a] != priorities[b] ? priorities[a] > priorities[b] : a < b
            }
            #expect(await Self.grantOrder(runs, agingStep: 10, cancelled: cancelled) == expected)
        }
    }
}
