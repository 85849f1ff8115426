import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One size class behind its own lock, with a cache of free blocks in each thread in front of it
/// (small and medium classes; see `Magazine`). Buffers point here rather than at the whole pool,
/// so a release goes straight to its class.
///
/// The fast paths: a store pops a handle from the thread's magazine and copies into its block, a
/// release pushes the handle back, a tail's store-replacing-a-chunk writes into the chunk's own
/// block; each inside the magazine's window, with no lock and no atomic read-modify-write. Only
/// when the magazine is empty (store), full (release) or not this class's does an operation take
/// the lock. Everything that needs the magazines still (stats, `defragment`, the pool going away,
/// a store that would set a new high-water mark or overflow while threads cache blocks) drains
/// them under the lock, so the stats stay exact: `inUse` is blocks held by owners (taken minus
/// cached), a new high-water mark or an overflow is only ever counted with no block cached.
///
/// Buffers hold this class unretained (no reference counting per store and release), which is safe
/// by construction: the class keeps itself alive until its `MemoryPool` is gone *and* every block it
/// handed out is back, so no buffer can outlive the memory its blocks live in. Going away drains
/// every magazine and disowns it, so no thread cache points here afterwards.
final class ClassPool: @unchecked Sendable {
    /// Blocks up to this size are copied in and out under the lock; bigger ones (large blocks,
    /// chains) are copied outside it, and `defragment` waits for those copies instead.
    static let copyUnderLockLimit = 16 * 1024

    let sizeClass: SizeClass
    let blockSize: Int
    private let lock = SpinLock()
    /// Everything below is read and written only with `lock` held.
    private let state: UnsafeMutablePointer<Guarded>
    /// Copies running outside the lock into or out of this class's blocks. Only incremented with
    /// `lock` held, so once `defragment` (holding the lock) sees zero, no block can be in use by one.
    private let copying = Atomic<Int>(0)
    /// Where a cached handle's block is, for the fast paths (the tables never move).
    private let layout: SlabLayout
    /// This class's magazine number in a thread's record; nil for the large class.
    private let magazine: Int?
    /// Raised while a drain works on this class's magazines: fast paths that see it take the lock.
    private let draining = Atomic<Bool>(false)

    private struct Guarded: ~Copyable {
        var slabs: SlabClass
        /// The owning `MemoryPool` is gone: let go of the self-reference once the last block is back.
        var orphaned = false
    }

    init(_ sizeClass: SizeClass, capacity: Int) {
        self.sizeClass = sizeClass
        blockSize = sizeClass.blockSize
        let slabs = SlabClass(sizeClass: sizeClass, capacity: capacity)
        layout = slabs.layout
        magazine = ThreadCaches.index(of: sizeClass)
        state = .allocate(capacity: 1)
        state.initialize(to: Guarded(slabs: slabs))
        _ = Unmanaged.passUnretained(self).retain()
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// What a magazine's `owner` holds when it caches this class's blocks.
    @inline(__always)
    private var identity: UInt { UInt(bitPattern: Unmanaged.passUnretained(self).toOpaque()) }

    /// The owning pool went away. Takes back every cached block and disowns the magazines, then
    /// drops the self-reference now if nothing is out, otherwise when the last block comes back
    /// (`release` says so).
    func orphan() {
        lock.lock()
        state.pointee.orphaned = true
        drained {
            eachMagazine { magazine in
                flush(magazine)
                magazine.pointee.owner.store(0, ordering: .relaxed)
            }
        }
        let drop = state.pointee.slabs.live == 0
        lock.unlock()
        if drop { Unmanaged.passUnretained(self).release() }
    }

    @inline(__always)
    func store(_ raw: UnsafeRawBufferPointer) -> UniquePooledBuffer {
        let count = raw.count
        guard count <= blockSize, count <= Self.copyUnderLockLimit else { return storeOutsideLock(raw) }
        if let magazine, let slot = ThreadCaches.existing(magazine) {
            let window = slot.open()
            if !draining.load(ordering: .acquiring), slot.pointee.owner.load(ordering: .relaxed) == identity {
                let cached = slot.pointee.count.load(ordering: .relaxed)
                if cached > 0 {
                    let handle = slot.pointee.handles[cached - 1]
                    slot.pointee.count.store(cached - 1, ordering: .relaxed)
                    slot.pointee.bytes = slot.pointee.bytes &+ count
                    if count > 0 {
                        layout.address(ofHandle: handle).copyMemory(from: raw.baseAddress.unsafelyUnwrapped, byteCount: count)
                    }
                    slot.close(window)
                    return UniquePooledBuffer(pool: Unmanaged.passUnretained(self), count: count, first: BlockRef(handle: handle), rest: nil)
                }
            }
            slot.close(window)
        }
        return storeLocked(raw)
    }

    @inline(never)
    private func storeLocked(_ raw: UnsafeRawBufferPointer) -> UniquePooledBuffer {
        let count = raw.count
        lock.lock()
        adoptMagazine()
        let (block, memory) = takeLocked(count)
        if count > 0 { memory.copyMemory(from: raw.baseAddress.unsafelyUnwrapped, byteCount: count) }
        lock.unlock()
        return UniquePooledBuffer(pool: Unmanaged.passUnretained(self), count: count, first: block, rest: nil)
    }

    /// `store` after giving back `old` (a single block of this class whose owner was consumed): the
    /// bytes go into `old`'s block, which stays taken, so the fast path touches no free stack.
    @inline(__always)
    func store(_ raw: UnsafeRawBufferPointer, replacing old: (count: Int, block: BlockRef)) -> UniquePooledBuffer {
        let count = raw.count
        if !old.block.isHeap, let magazine, let slot = ThreadCaches.existing(magazine) {
            let window = slot.open()
            if !draining.load(ordering: .acquiring), slot.pointee.owner.load(ordering: .relaxed) == identity {
                slot.pointee.bytes = slot.pointee.bytes &+ (count &- old.count)
                if count > 0 {
                    layout.address(ofHandle: Int32(truncatingIfNeeded: old.block.handle))
                        .copyMemory(from: raw.baseAddress.unsafelyUnwrapped, byteCount: count)
                }
                slot.close(window)
                return UniquePooledBuffer(pool: Unmanaged.passUnretained(self), count: count, first: old.block, rest: nil)
            }
            slot.close(window)
        }
        return storeLocked(raw, replacing: old)
    }

    @inline(never)
    private func storeLocked(_ raw: UnsafeRawBufferPointer, replacing old: (count: Int, block: BlockRef)) -> UniquePooledBuffer {
        let count = raw.count
        lock.lock()
        adoptMagazine()
        state.pointee.slabs.release(old.block, requested: old.count)
        let (block, memory) = takeLocked(count)
        if count > 0 { memory.copyMemory(from: raw.baseAddress.unsafelyUnwrapped, byteCount: count) }
        lock.unlock()
        return UniquePooledBuffer(pool: Unmanaged.passUnretained(self), count: count, first: block, rest: nil)
    }

    /// Takes a block with the lock held. Blocks cached by threads are taken but held by no owner,
    /// so before counting a new high-water mark (or an overflow: the class is full only at its
    /// high-water mark) the caches are drained, and the mark is what owners really held.
    @inline(__always)
    private func takeLocked(_ count: Int) -> (BlockRef, UnsafeMutableRawPointer) {
        if magazine != nil, state.pointee.slabs.inUse >= state.pointee.slabs.highWater, cachedBlocks() > 0 {
            drained { eachMagazine(flush) }
        }
        return state.pointee.slabs.take(count)
    }

    /// Large blocks and chains: the blocks are taken under the lock, the bytes copied after it.
    @inline(never)
    private func storeOutsideLock(_ raw: UnsafeRawBufferPointer) -> UniquePooledBuffer {
        let count = raw.count
        let blocks = max(1, (count + blockSize - 1) / blockSize)
        let rest: UnsafeMutablePointer<BlockRef>? = blocks > 1 ? .allocate(capacity: blocks - 1) : nil
        let first = withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer.self, capacity: blocks) { addresses in
            lock.lock()
            var first: BlockRef?
            for index in 0..<blocks {
                let (block, memory) = takeLocked(min(blockSize, count - index * blockSize))
                addresses[index] = memory
                if index == 0 { first = block } else { (rest.unsafelyUnwrapped + index - 1).initialize(to: block) }
            }
            copying.wrappingAdd(1, ordering: .relaxed)
            lock.unlock()
            for index in 0..<blocks {
                let length = min(blockSize, count - index * blockSize)
                if length > 0 {
                    addresses[index].copyMemory(from: raw.baseAddress.unsafelyUnwrapped + index * blockSize, byteCount: length)
                }
            }
            copying.wrappingSubtract(1, ordering: .releasing)
            return first.unsafelyUnwrapped
        }
        return UniquePooledBuffer(pool: Unmanaged.passUnretained(self), count: count, first: first, rest: rest)
    }

    /// Copies the bytes out; safe while `defragment` runs because it holds the lock (small blocks)
    /// or waits for the copy (large ones).
    func read(_ buffer: borrowing UniquePooledBuffer) -> [UInt8] {
        let count = buffer.count
        // Empty (a command that printed nothing): `Array(unsafeUninitializedCapacity: 0)` writes
        // its count into the stdlib's one shared empty-array object, a race between threads that
        // ThreadSanitizer reports (swiftlang/swift#27808 fixed the other initializers, not this one).
        guard count > 0 else { return [] }
        let blocks = max(1, (count + blockSize - 1) / blockSize)
        return [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            initialized = count
            guard let base = out.baseAddress, count > 0 else { return }
            let underLock = count <= Self.copyUnderLockLimit
            withUnsafeTemporaryAllocation(of: UnsafeRawPointer.self, capacity: blocks) { addresses in
                lock.lock()
                for index in 0..<blocks {
                    let address = state.pointee.slabs.pointer(index == 0 ? buffer.first : buffer.rest.unsafelyUnwrapped[index - 1])
                    if underLock {
                        let length = min(blockSize, count - index * blockSize)
                        (UnsafeMutableRawPointer(base) + index * blockSize).copyMemory(from: address, byteCount: length)
                    }
                    addresses[index] = address
                }
                if underLock {
                    lock.unlock()
                    return
                }
                copying.wrappingAdd(1, ordering: .relaxed)
                lock.unlock()
                for index in 0..<blocks {
                    let length = min(blockSize, count - index * blockSize)
                    (UnsafeMutableRawPointer(base) + index * blockSize).copyMemory(from: addresses[index], byteCount: length)
                }
                copying.wrappingSubtract(1, ordering: .releasing)
            }
        }
    }

    /// Gives a buffer's blocks back. Returns true when this was the orphaned class's last block:
    /// the caller then drops the self-reference (after this method returned, not inside it).
    @inline(__always)
    func release(count: Int, first: BlockRef, rest: UnsafeMutablePointer<BlockRef>?) -> Bool {
        if rest == nil, !first.isHeap, let magazine, let slot = ThreadCaches.existing(magazine) {
            let window = slot.open()
            if !draining.load(ordering: .acquiring), slot.pointee.owner.load(ordering: .relaxed) == identity {
                let cached = slot.pointee.count.load(ordering: .relaxed)
                if cached < slot.pointee.limit {
                    slot.pointee.handles[cached] = Int32(truncatingIfNeeded: first.handle)
                    slot.pointee.count.store(cached + 1, ordering: .relaxed)
                    slot.pointee.bytes = slot.pointee.bytes &- count
                    slot.close(window)
                    return false
                }
            }
            slot.close(window)
        }
        return releaseLocked(count: count, first: first, rest: rest)
    }

    @inline(never)
    private func releaseLocked(count: Int, first: BlockRef, rest: UnsafeMutablePointer<BlockRef>?) -> Bool {
        lock.lock()
        adoptMagazine()
        state.pointee.slabs.release(first, requested: min(count, blockSize))
        if let rest {
            var remaining = count - blockSize
            var index = 0
            while remaining > 0 {
                state.pointee.slabs.release(rest[index], requested: min(remaining, blockSize))
                remaining -= blockSize
                index += 1
            }
        }
        let drop = state.pointee.orphaned && state.pointee.slabs.live == 0
        lock.unlock()
        return drop
    }

    func defragment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        // No new copy can start while the lock is held; wait out the ones already running.
        while copying.load(ordering: .acquiring) > 0 { sched_yield() }
        // Cached blocks go back first (their slabs may be emptied), and no fast path runs while
        // blocks move.
        return drained {
            eachMagazine(flush)
            return state.pointee.slabs.defragment()
        }
    }

    func stats() -> MemoryClassStats {
        lock.lock()
        defer { lock.unlock() }
        return drained {
            var cached = 0
            var bytes = 0
            eachMagazine { magazine in
                cached += magazine.pointee.count.load(ordering: .relaxed)
                bytes += magazine.pointee.bytes
            }
            return state.pointee.slabs.stats(cached: cached, cachedBytes: bytes)
        }
    }

    // MARK: Thread caches (all with `lock` held)

    /// Makes this thread's magazine this class's if it is nobody's (a thread's first operation
    /// here, or after the pool it cached for went away): its next operations take the fast path.
    private func adoptMagazine() {
        guard let magazine, !state.pointee.orphaned, let slot = ThreadCaches.current(magazine),
              slot.pointee.owner.load(ordering: .relaxed) == 0 else { return }
        slot.pointee.owner.store(identity, ordering: .relaxed)
    }

    /// Calls `body` with every magazine holding this class's blocks. Without a drain, only `count`
    /// may be read: the owning threads change the rest without a lock.
    private func eachMagazine(_ body: (UnsafeMutablePointer<Magazine>) -> Void) {
        guard let magazine else { return }
        let identity = identity
        ThreadCaches.forEach(magazine) { slot in
            if slot.pointee.owner.load(ordering: .relaxed) == identity { body(slot) }
        }
    }

    /// Blocks threads cache now, for tests.
    func cachedBlockCount() -> Int {
        lock.lock()
        defer { lock.unlock() }
        return cachedBlocks()
    }

    /// Blocks threads cache, read without a drain (a thread may be changing its count).
    private func cachedBlocks() -> Int {
        var cached = 0
        eachMagazine { cached += $0.pointee.count.load(ordering: .relaxed) }
        return cached
    }

    /// Runs `work` while no thread is inside a fast path of this class: raises `draining`, makes
    /// every core see it (`membarrier`), then waits for the windows that were open to close.
    /// Windows opened after the barrier see the flag and take the lock, which is held here.
    private func drained<T>(_ work: () -> T) -> T {
        var owned = false
        eachMagazine { _ in owned = true }
        guard owned else { return work() }
        draining.store(true, ordering: .relaxed)
        Membarrier.barrier()
        eachMagazine { slot in
            var spins = 0
            while slot.pointee.isOpen {
                spins += 1
                if spins >= 64 {
                    spins = 0
                    sched_yield()
                }
            }
        }
        defer { draining.store(false, ordering: .releasing) }
        return work()
    }

    /// Gives a drained magazine's blocks back to the free stack and its bytes to the class.
    private func flush(_ slot: UnsafeMutablePointer<Magazine>) {
        let cached = slot.pointee.count.load(ordering: .relaxed)
        for index in 0..<cached {
            state.pointee.slabs.release(BlockRef(handle: slot.pointee.handles[index]), requested: 0)
        }
        slot.pointee.count.store(0, ordering: .relaxed)
        state.pointee.slabs.addRequested(slot.pointee.bytes)
        slot.pointee.bytes = 0
    }
}
