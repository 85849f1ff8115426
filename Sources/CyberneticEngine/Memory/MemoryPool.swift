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
