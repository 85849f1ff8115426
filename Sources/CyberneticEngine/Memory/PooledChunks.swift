/// Pooled buffers in arrival order, each with exactly one owner: what an `OutputTail` keeps its
/// captured chunks in. Appending a chunk stores it in the pool and moves it into a ring; dropping
/// the oldest gives its blocks back. No object is allocated per chunk (the ring grows by doubling),
/// which is what makes capturing into the pool cheaper than a heap allocation per chunk.
final class PooledChunks: @unchecked Sendable {
    /// Only the owning `OutputTail` touches these, through `mutating` methods after a uniqueness
    /// check, so they are never accessed concurrently; unchecked exclusivity keeps the per-chunk
    /// path free of runtime access tracking.
    @exclusivity(unchecked) private var slots: UnsafeMutablePointer<UniquePooledBuffer>
    @exclusivity(unchecked) private var capacity: Int
    @exclusivity(unchecked) private var head = 0
    @exclusivity(unchecked) private(set) var count = 0
    /// Bytes in all chunks together.
    @exclusivity(unchecked) private(set) var byteCount = 0

    init(capacity: Int = 4) {
        self.capacity = max(1, capacity)
        slots = .allocate(capacity: self.capacity)
    }

    deinit {
        while count > 0 { _ = takeFirst() }
        slots.deallocate()
    }

    /// A copy whose chunks are stored again: for an `OutputTail` copy that is then appended to.
    func copy(into pool: MemoryPool) -> PooledChunks {
        let copy = PooledChunks(capacity: count)
        for index in 0..<count {
            (slots + slot(index)).pointee.bytes.withUnsafeBytes { copy.append(pool.storeUnique(contiguous: $0)) }
        }
        return copy
    }

    func append(_ buffer: consuming UniquePooledBuffer) {
        if count == capacity { grow() }
        byteCount += buffer.count
        (slots + slot(count)).initialize(to: buffer)
        count += 1
    }

    /// Stores `chunk` and drops the oldest chunks that the newer ones alone make redundant (they
    /// hold at least `limit` bytes without them). The last one dropped is handed to the pool with
    /// the store, so a steady stream takes one lock round per chunk.
    func append(_ chunk: UnsafeRawBufferPointer, to pool: MemoryPool, keeping limit: Int) {
        var dropped: UniquePooledBuffer?
        while count > 0, byteCount + chunk.count - slots[head].count >= limit {
            dropped = nil
            dropped = takeFirst()
        }
        if let old = dropped.take() {
            append(pool.storeUnique(contiguous: chunk, replacing: old))
        } else {
            append(pool.storeUnique(contiguous: chunk))
        }
    }

    /// Where the chunk `index` places after the oldest sits in the ring.
    @inline(__always)
    private func slot(_ index: Int) -> Int {
        let slot = head + index
        return slot >= capacity ? slot - capacity : slot
    }

    /// Moves the oldest chunk out.
    func takeFirst() -> UniquePooledBuffer {
        let oldest = (slots + head).move()
        head = head + 1 == capacity ? 0 : head + 1
        count -= 1
        byteCount -= oldest.count
        return oldest
    }

    /// Every chunk's bytes, oldest first.
    var bytes: [UInt8] {
        var all: [UInt8] = []
        all.reserveCapacity(byteCount)
        for index in 0..<count { all += (slots + slot(index)).pointee.bytes }
        return all
    }

    private func grow() {
        let bigger = UnsafeMutablePointer<UniquePooledBuffer>.allocate(capacity: capacity * 2)
        for index in 0..<count { (bigger + index).initialize(to: (slots + slot(index)).move()) }
        slots.deallocate()
        slots = bigger
        capacity *= 2
        head = 0
    }
}
