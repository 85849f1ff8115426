import Foundation
import Synchronization

/// The result cache: memory (LRU + TTL) in front of disk (Bazel layout) in front of a remote
/// server (Bazel HTTP cache protocol). A hit in a slower tier fills the faster ones. Results are
/// stored in every tier; the disk and remote writes happen off the caller's path, so caching
/// never delays a task's result.
public final class CommandCache: Sendable {
    fileprivate struct State: Sendable {
        var memory: LRUCache<CachedResult>
        var tiers: [CacheTier: CacheTierStats] = [:]
        var pendingWrites = 0
        /// False once opening the disk tier failed (unwritable, or a folder others can write):
        /// from then on it is neither read nor written.
        var diskUsable = true
        /// Local tiers' news for the event log: entries found corrupt or unsafe.
        var notices: [CacheNotice] = []
    }

    private let state: Mutex<State>
    private let disk: DiskCache?
    /// nil when `cache.remote` is not set or its mode is `off`.
    let remote: RemoteCache?
    /// The disk tier's folder; nil when the cache is in memory only.
    public var directory: URL? { disk?.root }
    /// See `CacheSettings.maxOutputsBytes`.
    public let maxOutputsBytes: Int
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant

    /// `directory` nil keeps the cache in memory only.
    public init(settings: CacheSettings, directory: URL?,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        state = Mutex(State(memory: LRUCache(capacity: settings.maxEntries, ttl: settings.ttl)))
        disk = directory.map { DiskCache(root: $0, ttl: settings.ttl, maxBytes: settings.diskMaxBytes) }
        remote = RemoteCache(settings: settings, environment: environment)
        maxOutputsBytes = settings.maxOutputsBytes
        start = clock.now
        state.withLock { state in
            for tier in [CacheTier.memory] + (directory == nil ? [] : [.disk]) {
                state.tiers[tier] = CacheTierStats(name: tier.rawValue)
            }
        }
    }

    /// Opens the disk tier: creates its folders and reads its size. Throws a clear error when
    /// the folder cannot be used, so start-up can say so.
    public func open() throws {
        _ = try openAndVerify(verify: false)
    }

    /// Opens the disk tier and, with `verify`, checks every action result's checksum, deleting
    /// the ones that fail, so a corrupt entry is gone before the first lookup.
    @discardableResult
    public func openAndVerify(verify: Bool = true) throws -> (entries: Int, bytes: Int, discarded: Int) {
        guard let disk else { return (0, 0, 0) }
        do {
            try disk.prepare()
        } catch {
            state.withLock { $0.diskUsable = false }
            throw error
        }
        let discarded = verify ? disk.removeCorruptActions() : 0
        let evicted = disk.enforceLimit()
        state.withLock { state in
            state.tiers[.disk]?.discarded += discarded
            state.tiers[.disk]?.evictions += evicted
        }
        let usage = disk.usage
        return (usage.entries, usage.bytes, discarded)
    }

    private var now: Double { (clock.now - start).seconds }

    /// How long the memory tier keeps an entry; the optimizer tunes it live. The disk tier keeps
    /// the configured `ttl`: it is the tier that survives restarts and should not churn.
    public var memoryTTL: Duration {
        get { .milliseconds(Int64(state.withLock { $0.memory.ttl } * 1000)) }
        set { state.withLock { $0.memory.ttl = newValue.seconds } }
    }

    /// `pool` holds what a disk hit brings into the memory tier (nil: plain arrays).
    public func lookup(_ key: CacheKey, pool: MemoryPool? = nil) -> (result: CachedResult, tier: CacheTier)? {
        let moment = now
        if let hit = state.withLock({ state -> CachedResult? in
            let value = state.memory.get(key.digest, now: moment)
            state.tiers[.memory]?.record(hit: value != nil)
            return value
        }) {
            return (hit, .memory)
        }
        guard let disk, state.withLock({ $0.diskUsable }) else { return nil }
        switch disk.lookup(key.digest, pool: pool) {
        case .hit(let result):
            state.withLock { state in
                state.tiers[.disk]?.hits += 1
                state.tiers[.disk]?.bytesDown += result.byteCount
                state.insertInMemory(key.digest, result, now: moment)
            }
            return (result, .disk)
        case .miss:
            state.withLock { $0.tiers[.disk]?.misses += 1 }
        case .expired:
            state.withLock {
                $0.tiers[.disk]?.misses += 1
                $0.tiers[.disk]?.expirations += 1
            }
        case .corrupt(let reason):
            state.withLock {
                $0.tiers[.disk]?.misses += 1
                $0.tiers[.disk]?.discarded += 1
                $0.notices.append(CacheNotice(level: .warning, message: "disk cache: \(reason); discarded, not served"))
            }
        }
        return nil
    }

    /// Memory and disk first, then the remote tier: a remote hit fills both local tiers, so the
    /// next lookup on this machine is local.
    public func fetch(_ key: CacheKey, pool: MemoryPool? = nil) async -> (result: CachedResult, tier: CacheTier)? {
        if let local = lookup(key, pool: pool) { return local }
        guard let remote else { return nil }
        guard case .hit(let result) = await remote.lookup(key.digest, pool: pool) else { return nil }
        fill(key, result)
        return (result, .remote)
    }

    /// Stores in memory now, on disk and on the remote server in the background.
    public func store(_ key: CacheKey, _ result: CachedResult) {
        fill(key, result)
        guard let remote, remote.mode == .readWrite, remote.beginWrite() else { return }
        Task.detached(priority: .utility) {
            await remote.store(key.digest, result)
            remote.endWrite()
        }
    }

    /// Memory now, disk in the background.
    private func fill(_ key: CacheKey, _ result: CachedResult) {
        let moment = now
        let usable = state.withLock { state in
            state.insertInMemory(key.digest, result, now: moment)
            if disk != nil && state.diskUsable { state.pendingWrites += 1 }
            return state.diskUsable
        }
        guard let disk, usable else { return }
        Task.detached(priority: .utility) { [self] in
            let evicted = try? disk.store(key.digest, result)
            state.withLock { state in
                state.pendingWrites -= 1
                guard let evicted else {
                    state.tiers[.disk]?.discarded += 1
                    return
                }
                state.tiers[.disk]?.bytesUp += result.byteCount
                state.tiers[.disk]?.evictions += evicted
            }
        }
    }

    /// Waits for background disk and remote writes, so a short-lived process (`exec`) leaves its
    /// entry behind. Remote writes are bounded by their timeouts and the circuit breaker.
    public func flush() async {
        while state.withLock({ $0.pendingWrites > 0 }) || (remote?.pendingWrites ?? 0) > 0 {
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    /// The remote tier's start-up check (nil: no remote tier). See `RemoteCache.probe`.
    public func probeRemote() async -> (ok: Bool, note: String)? {
        await remote?.probe()
    }

    /// What happened since the last call that the user should hear about (tampered blobs,
    /// circuit changes, refused requests).
    public func drainNotices() -> [CacheNotice] {
        let local = state.withLock { state in
            defer { state.notices.removeAll() }
            return state.notices
        }
        return local + (remote?.drainNotices() ?? [])
    }

    public func snapshot() -> [CacheTierStats] {
        let diskUsage = disk?.usage ?? DiskCache.Usage()
        return state.withLock { state in
            var tiers: [CacheTierStats] = []
            if var memory = state.tiers[.memory] {
                memory.entries = state.memory.count
                memory.bytes = state.memory.values.reduce(0) { $0 + $1.byteCount }
                memory.evictions = state.memory.evictions
                memory.expirations = state.memory.expirations
                tiers.append(memory)
            }
            if var disk = state.tiers[.disk] {
                disk.entries = diskUsage.entries
                disk.bytes = diskUsage.bytes
                tiers.append(disk)
            }
            return tiers
        } + (remote.map { [$0.stats()] } ?? [])
    }
}

private extension CacheTierStats {
    mutating func record(hit: Bool) {
        if hit { hits += 1 } else { misses += 1 }
    }
}

private extension CommandCache.State {
    mutating func insertInMemory(_ key: String, _ result: CachedResult, now: Double) {
        memory.put(key, result, now: now)
    }
}
