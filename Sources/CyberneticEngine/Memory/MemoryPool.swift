import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Size-class pools that hold captured output and cached results, so memory is bounded,
/// reused and visible. Each class has its own lock: allocation and release are O(1) (a pop or a
/// push on flat free stacks) and classes never contend with each other.
///
/// A class grows a slab at a time up to its configured block count; past that, requests are
/// served from the heap and counted as overflow, so an allocation never fails.
public final class MemoryPool: Sendable {
    let small: ClassPool
    let medium: ClassPool
    let large: ClassPool

    public init(settings: MemorySettings = MemorySettings()) {
        small = ClassPool(.small, capacity: settings.smallBlocks)
        medium = ClassPool(.medium, capacity: settings.mediumBlocks)
        large = ClassPool(.large, capacity: settings.largeBlocks)
    }

    /// The classes outlive this pool while buffers still hold their blocks (see `ClassPool`).
    deinit {
        small.orphan()
        medium.orphan()
        large.orphan()
    }

    /// Copies `bytes` into pooled blocks. The blocks go back to the pool when the last reference
    /// to the returned buffer goes away; there is no other way to release them.
    /// Inlinable so that callers in other modules get the contiguous fast path specialized.
    @inlinable
    public func store(_ bytes: some Collection<UInt8>) -> PooledBuffer {
        if let stored = bytes.withContiguousStorageIfAvailable({ store(contiguous: UnsafeRawBufferPointer($0)) }) {
            return stored
        }
        return Array(bytes).withUnsafeBytes { store(contiguous: $0) }
    }

    @usableFromInline
    func store(contiguous raw: UnsafeRawBufferPointer) -> PooledBuffer {
        PooledBuffer(storeUnique(contiguous: raw))
    }

    /// Copies `bytes` into pooled blocks held by exactly one owner: no object is allocated, and the
    /// blocks go back when the owner is consumed or goes out of scope. For bytes that must be
    /// shared or kept in collections, `store` wraps the same thing in a class.
    @inlinable
    public func storeUnique(_ bytes: some Collection<UInt8>) -> UniquePooledBuffer {
        var stored: UniquePooledBuffer?
        if bytes.withContiguousStorageIfAvailable({ stored = storeUnique(contiguous: UnsafeRawBufferPointer($0)) }) == nil {
            Array(bytes).withUnsafeBytes { stored = storeUnique(contiguous: $0) }
        }
        return stored.take()!
    }

    /// The same for bytes already in contiguous memory (an array's, a read buffer's).
    public func storeUnique(contiguous raw: UnsafeRawBufferPointer) -> UniquePooledBuffer {
        switch SizeClass.forRequest(raw.count) {
        case .small: small.store(raw)
        case .medium: medium.store(raw)
        case .large: large.store(raw)
        }
    }

    /// Stores `raw` and gives `old` back, under one lock when both are single blocks of the same
    /// class (a tail dropping its oldest chunk for a new one of the same size): one lock round
    /// instead of two, and the new bytes go to the block just freed, still in the cache.
    func storeUnique(contiguous raw: UnsafeRawBufferPointer, replacing old: consuming UniquePooledBuffer) -> UniquePooledBuffer {
        let target = switch SizeClass.forRequest(raw.count) {
        case .small: small
        case .medium: medium
        case .large: large
        }
        guard old.pool.toOpaque() == Unmanaged.passUnretained(target).toOpaque(), old.rest == nil,
              raw.count <= target.blockSize, raw.count <= ClassPool.copyUnderLockLimit else {
            _ = consume old
            return storeUnique(contiguous: raw)
        }
        return target.store(raw, replacing: old.forget())
    }

    /// Packs live blocks into as few slabs as possible and frees the empty ones.
    /// Returns the number of slabs released.
    @discardableResult
    public func defragment() -> Int {
        small.defragment() + medium.defragment() + large.defragment()
    }

    public func stats() -> [MemoryClassStats] {
        [small.stats(), medium.stats(), large.stats()]
    }
}

/// One size class behind its own lock. Buffers point here rather than at the whole pool, so a
/// release goes straight to its class.
///
/// Buffers hold this class unretained (no reference counting per store and release), which is safe
/// by construction: the class keeps itself alive until its `MemoryPool` is gone *and* every block it
/// handed out is back, so no buffer can outlive the memory its blocks live in.
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

    private struct Guarded: ~Copyable {
        var slabs: SlabClass
        /// The owning `MemoryPool` is gone: let go of the self-reference once the last block is back.
        var orphaned = false
    }

    init(_ sizeClass: SizeClass, capacity: Int) {
        self.sizeClass = sizeClass
        blockSize = sizeClass.blockSize
        state = .allocate(capacity: 1)
        state.initialize(to: Guarded(slabs: SlabClass(sizeClass: sizeClass, capacity: capacity)))
        _ = Unmanaged.passUnretained(self).retain()
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// The owning pool went away. Drops the self-reference now if nothing is out, otherwise when
    /// the last block comes back (`release` says so).
    func orphan() {
        lock.lock()
        state.pointee.orphaned = true
        let drop = state.pointee.slabs.live == 0
        lock.unlock()
        if drop { Unmanaged.passUnretained(self).release() }
    }

    @inline(__always)
    func store(_ raw: UnsafeRawBufferPointer) -> UniquePooledBuffer {
        let count = raw.count
        guard count <= blockSize, count <= Self.copyUnderLockLimit else { return storeOutsideLock(raw) }
        lock.lock()
        let (block, memory) = state.pointee.slabs.take(count)
        if count > 0 { memory.copyMemory(from: raw.baseAddress.unsafelyUnwrapped, byteCount: count) }
        lock.unlock()
        return UniquePooledBuffer(pool: Unmanaged.passUnretained(self), count: count, first: block, rest: nil)
    }

    /// `store` after giving back `old` (a single block of this class whose owner was consumed).
    @inline(__always)
    func store(_ raw: UnsafeRawBufferPointer, replacing old: (count: Int, block: BlockRef)) -> UniquePooledBuffer {
        let count = raw.count
        lock.lock()
        state.pointee.slabs.release(old.block, requested: old.count)
        let (block, memory) = state.pointee.slabs.take(count)
        if count > 0 { memory.copyMemory(from: raw.baseAddress.unsafelyUnwrapped, byteCount: count) }
        lock.unlock()
        return UniquePooledBuffer(pool: Unmanaged.passUnretained(self), count: count, first: block, rest: nil)
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
                let (block, memory) = state.pointee.slabs.take(min(blockSize, count - index * blockSize))
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
        lock.lock()
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
        return state.pointee.slabs.defragment()
    }

    func stats() -> MemoryClassStats {
        lock.lock()
        defer { lock.unlock() }
        return state.pointee.slabs.stats()
    }
}

/// Bytes in pooled blocks with exactly one owner. Immutable and not copyable: the blocks return to
/// their pool in `deinit`, so a double release or a use after release cannot be written. A buffer
/// of one block (everything up to 64 KiB) holds it inline, so storing allocates nothing.
///
/// `@unchecked Sendable`: the class is held unretained (it outlives every block it handed out,
/// see `ClassPool`) and `rest` is written once before the buffer exists and owned by it alone.
public struct UniquePooledBuffer: ~Copyable, @unchecked Sendable {
    let pool: Unmanaged<ClassPool>
    public let count: Int
    let first: BlockRef
    /// The blocks after the first, for chains only (over 64 KiB).
    let rest: UnsafeMutablePointer<BlockRef>?

    init(pool: Unmanaged<ClassPool>, count: Int, first: BlockRef, rest: UnsafeMutablePointer<BlockRef>?) {
        self.pool = pool
        self.count = count
        self.first = first
        self.rest = rest
    }

    var sizeClass: SizeClass { pool._withUnsafeGuaranteedRef { $0.sizeClass } }

    public var bytes: [UInt8] { pool._withUnsafeGuaranteedRef { $0.read(self) } }

    /// Ends ownership without giving the block back: for its class, which reuses it under the
    /// same lock (`ClassPool.store(_:replacing:)`). Single blocks only.
    consuming func forget() -> (count: Int, block: BlockRef) {
        let taken = (count, first)
        discard self
        return taken
    }

    deinit {
        let drop = pool._withUnsafeGuaranteedRef { $0.release(count: count, first: first, rest: rest) }
        rest?.deallocate()
        if drop { pool.release() }
    }
}

/// Pooled bytes with shared ownership, for outputs and cache entries that are copied around and
/// kept in collections: a class around one `UniquePooledBuffer`, whose blocks go back when the
/// last reference does.
public final class PooledBuffer: Sendable {
    let unique: UniquePooledBuffer

    init(_ unique: consuming UniquePooledBuffer) {
        self.unique = unique
    }

    public var count: Int { unique.count }
    var sizeClass: SizeClass { unique.sizeClass }
    public var bytes: [UInt8] { unique.bytes }
}
