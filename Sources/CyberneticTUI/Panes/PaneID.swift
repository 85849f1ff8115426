/// The seven panes, numbered as their boxes show them. Titles are a public contract (the design
/// and the end-to-end tests look for them); never rename one.
public enum PaneID: Int, CaseIterable, Sendable, Hashable {
    case startup = 1, memory, processPool, cache, queue, optimizations, events

    public var title: String {
        switch self {
        case .startup: "Startup"
        case .memory: "Memory"
        case .processPool: "Process Pool"
        case .cache: "Cache"
        case .queue: "Queue"
        case .optimizations: "Optimizations"
        case .events: "Events"
        }
    }

    /// Focus order for Tab: the order the panes read on screen, left to right, top to bottom.
    public static let focusOrder: [PaneID] = [.startup, .optimizations, .queue, .memory, .cache, .processPool, .events]
}
