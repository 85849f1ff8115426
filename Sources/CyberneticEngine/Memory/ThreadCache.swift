import CMemoryShims
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One thread's free blocks of one size class of one pool (jemalloc's tcache, a "magazine"): a
/// release pushes the block's handle here and the thread's next store pops it, with no atomic
/// read-modify-write, so a store + release costs less than glibc's `malloc` + `free`.
///
/// Who touches it: the owning thread, inside a `window` (odd while open), without any lock; and
/// the class it belongs to (`owner`), holding its own lock, either directly (its slow paths, which
/// only adopt an empty magazine or read `count`) or after a handshake (`ClassPool.drain`): the
/// class raises its `draining` flag, runs `membarrier`, and waits until every open window of its
/// magazines has closed; a window opened after that sees the flag and takes the locked path. That
/// is Linux userspace RCU's membarrier scheme: the thread's side is two plain stores and a load.
struct Magazine: ~Copyable {
    let window = Atomic<UInt>(0)
    /// The class (`ClassPool` address) whose blocks these are; 0 for none. Written only under
    /// that class's lock, read by any class's drain.
    let owner = Atomic<UInt>(0)
    /// Handles cached; read without a handshake by the class's slow paths (`cachedBlocks`).
    let count = Atomic<Int>(0)
    /// Bytes stored minus bytes released by this thread's fast paths, not yet added to the class's
    /// `bytesRequested`.
    var bytes = 0
    let handles: UnsafeMutablePointer<Int32>
    let limit: Int

    init(limit: Int) {
        self.limit = limit
        handles = .allocate(capacity: max(1, limit))
    }

    @inline(__always)
    var isOpen: Bool { window.load(ordering: .acquiring) & 1 == 1 }
}

extension UnsafeMutablePointer where Pointee == Magazine {
    /// Opens the window. The fence keeps the compiler from moving the store after the caller's
    /// load of `draining` (costs no instruction on x86 or arm64); the processor's reordering of
    /// the two is what the drain's `membarrier` rules out.
    @inline(__always)
    func open() -> UInt {
        let window = pointee.window.load(ordering: .relaxed) &+ 1
        pointee.window.store(window, ordering: .relaxed)
        atomicMemoryFence(ordering: .acquiringAndReleasing)
        return window
    }

    /// Closes it: a release store, so a drain that sees it closed sees everything done inside.
    @inline(__always)
    func close(_ window: UInt) {
        pointee.window.store(window &+ 1, ordering: .releasing)
    }
}

/// The per-thread magazines: one record a thread (small and medium, the classes whose blocks are
/// copied under the lock), found through a C thread-local pointer (one load), kept in a registry
/// so that a class can drain the magazines of every thread. A thread that exits retires its record
/// with its cached blocks in it: a drain (stats, defragment, a pool going away) reaches them there,
/// so nothing is lost, and a new thread takes over a retired record once no pool owns its
/// magazines (until then it starts one of its own). Magazines are off (every store and release
/// takes the lock) where `membarrier(2)` is missing.
enum ThreadCaches {
    /// Magazines a record: `SizeClass.small` and `.medium` (large blocks are copied outside the
    /// lock and stay on the locked path).
    static func index(of sizeClass: SizeClass) -> Int? {
        switch sizeClass {
        case .small: 0
        case .medium: 1
        case .large: nil
        }
    }

    /// Blocks a magazine keeps: enough for a burst of a few stores before their releases, few
    /// enough that thread caches hold little memory (16 KiB small, 40 KiB medium a thread).
    static let limits = [16, 4]

    /// The address of `limits.count` magazines; handed between threads only through the registry.
    private struct Record: @unchecked Sendable {
        let magazines: UnsafeMutablePointer<Magazine>
    }

    private struct Registry: ~Copyable {
        /// Every record ever made.
        var records: [Record] = []
        /// Records of threads that exited, for the next new thread.
        var unused: [Record] = []
    }

    private static let registry = Mutex(Registry())

    /// A key whose destructor retires the thread's record as the thread exits; nil when
    /// magazines are off. (The record itself is found through `cmemory_thread_cache`.)
    private static let key: pthread_key_t? = {
        guard Membarrier.register() else { return nil }
        var key = pthread_key_t()
        guard pthread_key_create(&key, { record in
            guard let record else { return }
            // Code that runs after this (other destructors releasing buffers) takes the locked path
            // or starts a new record, never the retired one another thread may be starting with.
            cmemory_thread_cache_set(nil)
            ThreadCaches.retire(record.assumingMemoryBound(to: Magazine.self))
        }) == 0 else { return nil }
        return key
    }()

    /// Whether threads cache blocks at all (membarrier(2) is there).
    static var enabled: Bool { key != nil }

    /// This thread's magazine number `index`, if the thread has a record yet (the fast paths).
    @inline(__always)
    static func existing(_ index: Int) -> UnsafeMutablePointer<Magazine>? {
        guard let record = cmemory_thread_cache_get() else { return nil }
        return record.assumingMemoryBound(to: Magazine.self) + index
    }

    /// The same, making the record on first use (the slow paths).
    static func current(_ index: Int) -> UnsafeMutablePointer<Magazine>? {
        if let record = cmemory_thread_cache_get() { return record.assumingMemoryBound(to: Magazine.self) + index }
        guard let key else { return nil }
        let record = registry.withLock { registry in
            // A record still caching for a live pool waits for that pool's next drain; a new
            // thread starts with one that caches nothing (or a new one).
            if let free = registry.unused.lastIndex(where: { record in
                (0..<limits.count).allSatisfy { (record.magazines + $0).pointee.owner.load(ordering: .relaxed) == 0 }
            }) {
                return registry.unused.remove(at: free)
            }
            let magazines = UnsafeMutablePointer<Magazine>.allocate(capacity: limits.count)
            for (index, limit) in limits.enumerated() { (magazines + index).initialize(to: Magazine(limit: limit)) }
            registry.records.append(Record(magazines: magazines))
            return registry.records[registry.records.count - 1]
        }.magazines
        pthread_setspecific(key, record)
        cmemory_thread_cache_set(record)
        return record + index
    }

    private static func retire(_ record: UnsafeMutablePointer<Magazine>) {
        let retired = Record(magazines: record)
        registry.withLock { $0.unused.append(retired) }
    }

    /// Calls `body` with magazine `index` of every record, the registry locked (no thread can
    /// start or retire a record meanwhile).
    static func forEach(_ index: Int, _ body: (UnsafeMutablePointer<Magazine>) -> Void) {
        registry.withLock { registry in
            for record in registry.records { body(record.magazines + index) }
        }
    }
}

/// `membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)`: a full memory barrier on every core running a
/// thread of this process, for the drain's side of the handshake (Linux 4.14+).
enum Membarrier {
    /// Registers the process for the expedited barrier; false when the kernel (or a seccomp
    /// filter) refuses, and then magazines stay off.
    static func register() -> Bool {
        let registerPrivateExpedited: CInt = 16
        return cmemory_membarrier(registerPrivateExpedited) == 0
    }

    static func barrier() {
        let privateExpedited: CInt = 8
        let result = cmemory_membarrier(privateExpedited)
        precondition(result == 0, "membarrier failed after registering: \(errno)")
    }
}
