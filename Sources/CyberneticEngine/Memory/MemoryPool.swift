import Synchronization

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

    @usableFromInline
    func storeUnique(contiguous raw: UnsafeRawBufferPointer) -> UniquePooledBuffer {
        switch SizeClass.forRequest(raw.count) {
        case .small: small.store(raw)
        case .medium: medium.store(raw)
        case .large: large.store(raw)
        }
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
final class ClassPool: Sendable {
    let sizeClass: SizeClass
    private let slabs: Mutex<SlabClass>

    init(_ sizeClass: SizeClass, capacity: Int) {
        self.sizeClass = sizeClass
        slabs = Mutex(SlabClass(sizeClass: sizeClass, capacity: capacity))
    }

    func store(_ raw: UnsafeRawBufferPointer) -> UniquePooledBuffer {
        let blockSize = sizeClass.blockSize
        if raw.count <= blockSize {
            let block = slabs.withLock { $0.store(raw) }
            return UniquePooledBuffer(pool: self, count: raw.count, first: block, rest: [])
        }
        // A chain: the first block inline, the others in an array (only outputs over 64 KiB).
        var rest: [BlockRef] = []
        rest.reserveCapacity((raw.count - 1) / blockSize)
        let first = slabs.withLock { slabs in
            let first = slabs.store(UnsafeRawBufferPointer(rebasing: raw[..<blockSize]))
            var offset = blockSize
            while offset < raw.count {
                let end = min(offset + blockSize, raw.count)
                rest.append(slabs.store(UnsafeRawBufferPointer(rebasing: raw[offset..<end])))
                offset = end
            }
            return first
        }
        return UniquePooledBuffer(pool: self, count: raw.count, first: first, rest: rest)
    }

    /// Copies the bytes out; safe while `defragment` runs because both hold the class's lock.
    func read(_ buffer: borrowing UniquePooledBuffer) -> [UInt8] {
        // Empty (a command that printed nothing): `Array(unsafeUninitializedCapacity: 0)` writes
        // its count into the stdlib's one shared empty-array object, a race between threads that
        // ThreadSanitizer reports (swiftlang/swift#27808 fixed the other initializers, not this one).
        guard buffer.count > 0 else { return [] }
        let blockSize = sizeClass.blockSize
        return [UInt8](unsafeUninitializedCapacity: buffer.count) { out, initialized in
            guard let base = out.baseAddress else { return }
            slabs.withLock { slabs in
                var offset = 0
                buffer.forEachBlock { block in
                    let length = min(blockSize, buffer.count - offset)
                    (UnsafeMutableRawPointer(base) + offset).copyMemory(from: slabs.pointer(block), byteCount: length)
                    offset += length
                }
            }
            initialized = buffer.count
        }
    }

    func release(_ buffer: borrowing UniquePooledBuffer) {
        let blockSize = sizeClass.blockSize
        slabs.withLock { slabs in
            var remaining = buffer.count
            buffer.forEachBlock { block in
                let length = min(remaining, blockSize)
                slabs.release(block, requested: length)
                remaining -= length
            }
        }
    }

    func defragment() -> Int { slabs.withLock { $0.defragment() } }

    func stats() -> MemoryClassStats { slabs.withLock { $0.stats() } }
}

/// Bytes in pooled blocks with exactly one owner. Immutable and not copyable: the blocks return to
/// their pool in `deinit`, so a double release or a use after release cannot be written. A buffer
/// of one block (everything up to 64 KiB) holds it inline, so storing allocates nothing.
public struct UniquePooledBuffer: ~Copyable, Sendable {
    let pool: ClassPool
    public let count: Int
    let first: BlockRef
    let rest: [BlockRef]

    init(pool: ClassPool, count: Int, first: BlockRef, rest: [BlockRef]) {
        self.pool = pool
        self.count = count
        self.first = first
        self.rest = rest
    }

    var sizeClass: SizeClass { pool.sizeClass }

    public var bytes: [UInt8] { pool.read(self) }

    func forEachBlock(_ body: (BlockRef) -> Void) {
        body(first)
        for block in rest { body(block) }
    }

    deinit { pool.release(self) }
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
