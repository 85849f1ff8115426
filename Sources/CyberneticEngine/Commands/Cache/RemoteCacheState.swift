import Synchronization

struct RemoteCacheState: Sendable {
    var stats = CacheTierStats(name: CacheTier.remote.rawValue)
    /// Bounded: nobody may be draining them (`exec` without `--stats`), and a hostile server
    /// could cause one per lookup.
    var notices: [CacheNotice] = [] {
        didSet { if notices.count > 100 { notices.removeFirst(notices.count - 100) } }
    }
    var warned: Set<String> = []
    var pendingWrites = 0
}

/// The counters, shared with the HTTP client's observer (a class, so the closure can hold it
/// before `init` finishes).
final class RemoteCacheCounters: Sendable {
    private let mutex = Mutex(RemoteCacheState())
    func withLock<R: Sendable>(_ body: (inout RemoteCacheState) -> R) -> R {
        mutex.withLock { body(&$0) }
    }
}

/// Something the cache wants the user to know (a tampered blob, a circuit that opened), picked
/// up by the engine's event log or printed by `exec --stats`.
public struct CacheNotice: Sendable, Equatable {
    public enum Level: String, Sendable { case info, warning }
    public var level: Level
    public var message: String
}
