/// Whether a dependency is used: `closed` (normal), `open` (skipped after repeated failures),
/// `halfOpen` (one trial decides which way it goes). One vocabulary for the remote cache's
/// breaker and the warm runtimes' circuits, so panes and reports read them the same way.
public enum CircuitState: String, Sendable, Codable, Equatable {
    case closed
    case open
    case halfOpen = "half-open"
}
