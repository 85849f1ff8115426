import Synchronization


/// A circuit breaker for anything that can be down or slow (a remote cache, a service).
///
/// Why: a dead server must cost one timeout, not one per request. After `failureThreshold`
/// consecutive failures the circuit opens and callers skip the dependency at no cost; after
/// `coolDown` a single trial request is let through (half-open), and its outcome closes the
/// circuit or opens it for another cool-down. So recovery needs no operator.
public final class CircuitBreaker: Sendable {
    private struct State: Sendable {
        var state: CircuitState = .closed
        var consecutiveFailures = 0
        var openedAt: ContinuousClock.Instant?
        var probeStartedAt: ContinuousClock.Instant?
        var opens = 0
    }

    public let failureThreshold: Int
    public let coolDown: Duration
    private let state = Mutex(State())
    private let clock: @Sendable () -> ContinuousClock.Instant

    /// `clock` is for tests that step time by hand: a cool-down measured on the real clock makes
    /// "one trial at a time" depend on two calls never being a cool-down apart on a loaded machine.
    public init(failureThreshold: Int = 3, coolDown: Duration = .seconds(30),
                clock: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.failureThreshold = max(1, failureThreshold)
        self.coolDown = coolDown
        self.clock = clock
    }

    public var currentState: CircuitState { state.withLock { $0.state } }

    /// How many times the circuit has opened (re-opening after a failed trial counts too).
    public var opens: Int { state.withLock { $0.opens } }

    /// Whether the caller may make a request now. When the cool-down has passed this moves the
    /// circuit to half-open and admits exactly one trial; a trial whose outcome is never
    /// recorded (its caller went away) is replaced after another cool-down, so the circuit
    /// cannot stay stuck half-open.
    public var allowsRequest: Bool {
        let now = clock()
        return state.withLock { s in
            switch s.state {
            case .closed:
                return true
            case .open:
                guard let openedAt = s.openedAt, now - openedAt >= coolDown else { return false }
                s.state = .halfOpen
                s.probeStartedAt = now
                return true
            case .halfOpen:
                guard let started = s.probeStartedAt, now - started >= coolDown else { return false }
                s.probeStartedAt = now
                return true
            }
        }
    }

    /// Returns the new state when this call changed it (for an event), nil otherwise.
    @discardableResult
    public func recordSuccess() -> CircuitState? {
        state.withLock { s in
            s.consecutiveFailures = 0
            guard s.state != .closed else { return nil }
            s.state = .closed
            s.openedAt = nil
            s.probeStartedAt = nil
            return .closed
        }
    }

    /// Opens the circuit at once, whatever the count: for a failed health check, which says more
    /// than one failed request. Returns `.open` when this call changed the state.
    @discardableResult
    public func trip() -> CircuitState? {
        let now = clock()
        return state.withLock { s in
            s.consecutiveFailures = max(s.consecutiveFailures, failureThreshold)
            guard s.state != .open else { return nil }
            s.state = .open
            s.openedAt = now
            s.probeStartedAt = nil
            s.opens += 1
            return .open
        }
    }

    /// Returns the new state when this call changed it (for an event), nil otherwise.
    @discardableResult
    public func recordFailure() -> CircuitState? {
        let now = clock()
        return state.withLock { s in
            s.consecutiveFailures += 1
            switch s.state {
            case .open:
                return nil
            case .closed where s.consecutiveFailures < failureThreshold:
                return nil
            case .closed, .halfOpen:
                s.state = .open
                s.openedAt = now
                s.probeStartedAt = nil
                s.opens += 1
                return .open
            }
        }
    }
}
