import Synchronization

/// Size-class pools that hold captured output and cached results, so memory is bounded,
/// reused and visible. Each class has its own lock: allocation and release are O(1) (a free-list
/// pop or push) and classes never contend with each other.
///
/// A class grows a slab at a time up to its configured block count; past that, requests are
/// served from the heap and counted as overflow, so an allocation never fails.
public final class MemoryPool: Sendable {
    private let small: Mutex<SlabClass>
    private let medium: Mutex<SlabClass>
    private let large: Mutex<SlabClass>

    public init(settings: MemorySettings = MemorySettings()) {
        small = Mutex(SlabClass(sizeClass: .small, capacity: settings.smallBlocks))
        medium = Mutex(SlabClass(sizeClass: .medium, capacity: settings.mediumBlocks))
        large = Mutex(SlabClass(sizeClass: .large, capacity: settings.largeBlocks))
    }

    private func withClass<T>(_ sizeClass: SizeClass, _ body: (inout SlabClass) -> T) -> T {
        switch sizeClass {
        case .small: small.withLock { body(&$0) }
        case .medium: medium.withLock { body(&$0) }
        case .large: large.withLock { body(&$0) }
        }
    }

    /// Copies `bytes` into pooled blocks. The blocks go back to the pool when the last reference
    /// to the returned buffer goes away; there is no other way to release them.
    public func store(_ bytes: some Collection<UInt8>) -> PooledBuffer {
        if let stored = bytes.withContiguousStorageIfAvailable({ store(UnsafeRawBufferPointer($0)) }) { return stored }
        return Array(bytes).withUnsafeBytes { store($0) }
    }

    private func store(_ raw: UnsafeRawBufferPointer) -> PooledBuffer {
        let sizeClass = SizeClass.forRequest(raw.count)
        let blockSize = sizeClass.blockSize
        let blocks = max(1, (raw.count + blockSize - 1) / blockSize)
        var handles: [Int] = []
        handles.reserveCapacity(blocks)
        withClass(sizeClass) { slabs in
            var offset = 0
            for _ in 0..<blocks {
                let length = min(raw.count - offset, blockSize)
                let handle = slabs.allocate(requesting: length)
                if length > 0 { slabs.pointer(handle).copyMemory(from: raw.baseAddress! + offset, byteCount: length) }
                offset += length
                handles.append(handle)
            }
        }
        return PooledBuffer(pool: self, sizeClass: sizeClass, handles: handles, count: raw.count)
    }

    /// Copies the bytes out; safe while `defragment` runs because both hold the class's lock.
    func read(_ buffer: PooledBuffer) -> [UInt8] {
        let blockSize = buffer.sizeClass.blockSize
        return withClass(buffer.sizeClass) { slabs in
            var out = [UInt8](repeating: 0, count: buffer.count)
            out.withUnsafeMutableBytes { raw in
                var offset = 0
                for handle in buffer.handles where offset < buffer.count {
                    let length = min(blockSize, buffer.count - offset)
                    (raw.baseAddress! + offset).copyMemory(from: slabs.pointer(handle), byteCount: length)
                    offset += length
                }
            }
            return out
        }
    }

    func release(_ buffer: PooledBuffer) {
        let blockSize = buffer.sizeClass.blockSize
        withClass(buffer.sizeClass) { slabs in
            var remaining = buffer.count
            for handle in buffer.handles {
                let length = min(remaining, blockSize)
                slabs.release(handle, requested: length)
                remaining -= length
            }
        }
    }

    /// Packs live blocks into as few slabs as possible and frees the empty ones.
    /// Returns the number of slabs released.
    @discardableResult
    public func defragment() -> Int {
        SizeClass.allCases.reduce(0) { total, sizeClass in
            total + withClass(sizeClass) { $0.defragment() }
        }
    }

    public func stats() -> [MemoryClassStats] {
        SizeClass.allCases.map { sizeClass in withClass(sizeClass) { $0.stats() } }
    }
}

/// Bytes held in pooled blocks. Immutable; the blocks return to their pool in `deinit`, so a
/// double release or a use after release cannot be written.
public final class PooledBuffer: Sendable {
    let pool: MemoryPool
    let sizeClass: SizeClass
    let handles: [Int]
    public let count: Int

    init(pool: MemoryPool, sizeClass: SizeClass, handles: [Int], count: Int) {
        self.pool = pool
        self.sizeClass = sizeClass
        self.handles = handles
        self.count = count
    }

    public var bytes: [UInt8] { pool.read(self) }

    deinit { pool.release(self) }
}
