import Synchronization

/// The engine's queue and limiter, on its own, for work that is not a command: the same
/// `QueueState` (heap, aging, limit, accounting) under a lock of its own. Benchmarks measure the
/// layer's overhead with it, and library users can bound any async work the same way.
public final class WorkQueue: Sendable {
    public enum Failure: Error, Equatable { case full, cancelled }

    private let state: Mutex<QueueState>
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant

    public init(capacity: Int = 10_000, limit: any ConcurrencyLimit = StaticLimit(limit: 100), aging: Duration = .seconds(10)) {
        state = Mutex(QueueState(capacity: capacity, limiter: limit, agingStep: aging.seconds))
        start = clock.now
    }

    /// Waits in line for a slot, runs `work`, gives the slot back. Throws `.full` at once when the
    /// line is at capacity, `.cancelled` when the calling task is cancelled while waiting.
    public func run<T: Sendable>(priority: TaskPriority = .normal, _ work: @Sendable () async throws -> T) async throws -> T {
        let now = (clock.now - start).seconds
        guard let sequence = state.withLock({ $0.admit(priority, now: now) }) else { throw Failure.full }
        let granted = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                state.withLock { queue in
                    if Task.isCancelled { queue.cancel(sequence) }
                    queue.wait(sequence, continuation: continuation)
                }
            }
        } onCancel: {
            state.withLock { $0.cancel(sequence) }
        }
        guard granted else { throw Failure.cancelled }
        let began = clock.now
        do {
            let value = try await work()
            let rtt = clock.now - began
            state.withLock { $0.finish(rtt: rtt, dropped: false) }
            return value
        } catch {
            let rtt = clock.now - began
            state.withLock { $0.finish(rtt: rtt, dropped: true) }
            throw error
        }
    }

    public var depth: Int { state.withLock { $0.depth } }
    public var inFlight: Int { state.withLock { $0.inFlight } }
    public var maxInFlight: Int { state.withLock { $0.maxInFlight } }
    public var limit: Int { state.withLock { $0.limit } }

    public func scale(to limit: Int) { state.withLock { $0.scale(to: limit) } }
    public func setPaused(_ paused: Bool) { state.withLock { $0.setPaused(paused) } }
}
