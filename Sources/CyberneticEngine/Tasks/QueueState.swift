import Collections

/// Runs waiting for a slot, and how many hold one. Lives inside the engine's `Ledger` so that
/// queue depth and run totals in one snapshot always agree.
struct QueueState: Sendable {
    struct Waiter: Sendable {
        var id: UInt64
        var continuation: CheckedContinuation<Bool, Never>
    }

    var waiters: Deque<Waiter> = []
    /// Admitted runs that do not hold a slot yet: the queue depth.
    var pending = 0
    var inFlight = 0
    var limit = 100
    var capacity = 10_000
    var maxDepth = 0
    var paused = false
    var nextID: UInt64 = 0

    /// Hands free slots to waiters in arrival order, unless intake is paused.
    mutating func grant() {
        while !paused, inFlight < limit, let waiter = waiters.popFirst() {
            inFlight += 1
            pending -= 1
            waiter.continuation.resume(returning: true)
        }
    }

    mutating func cancel(_ id: UInt64) {
        if let index = waiters.firstIndex(where: { $0.id == id }) {
            pending -= 1
            waiters.remove(at: index).continuation.resume(returning: false)
        }
    }
}
