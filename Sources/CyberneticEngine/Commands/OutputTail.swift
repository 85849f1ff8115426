/// Keeps the last `limit` bytes of a stream and counts the rest, so a command that floods its
/// output costs bounded memory however much it writes.
public struct OutputTail: Sendable {
    public let limit: Int
    public private(set) var totalBytes = 0
    private var storage: [UInt8] = []
    /// Once full, `storage` is a ring and this is where the oldest byte sits.
    private var start = 0

    /// With a pool, chunks are held in pooled blocks: whole chunks, the oldest dropped once the
    /// newer ones alone cover `limit`. Each chunk has one owner (no object per chunk); a copy of
    /// the tail shares them until one of the two appends.
    private let pool: MemoryPool?
    private var chunks: PooledChunks?

    public init(limit: Int, pool: MemoryPool? = nil) {
        self.limit = max(0, limit)
        self.pool = pool
    }

    public var truncated: Bool { totalBytes > limit }

    public var bytes: [UInt8] {
        if pool != nil {
            guard let chunks else { return [] }
            let all = chunks.bytes
            return all.count > limit ? Array(all.suffix(limit)) : all
        }
        guard start > 0 else { return storage }
        return Array(storage[start...] + storage[..<start])
    }

    /// Bytes as a read hands them over: stored in the pool straight from the read buffer.
    public mutating func append(_ chunk: UnsafeRawBufferPointer) {
        if pool != nil {
            totalBytes += chunk.count
            guard limit > 0, !chunk.isEmpty else { return }
            appendPooled(UnsafeRawBufferPointer(rebasing: chunk.suffix(limit)))
        } else {
            appendToStorage(chunk)
        }
    }

    public mutating func append(_ chunk: some Collection<UInt8>) {
        if pool != nil {
            // Contiguous bytes (an array, a read buffer) go to the pool without an intermediate copy.
            if chunk.withContiguousStorageIfAvailable({ append(UnsafeRawBufferPointer($0)) }) == nil {
                let kept = Array(chunk.suffix(limit))
                totalBytes += chunk.count - kept.count
                kept.withUnsafeBytes { append($0) }
            }
            return
        }
        appendToStorage(chunk)
    }

    private mutating func appendToStorage(_ chunk: some Collection<UInt8>) {
        totalBytes += chunk.count
        guard limit > 0, !chunk.isEmpty else { return }
        var incoming = chunk.suffix(limit)[...]
        if storage.count < limit {
            let room = limit - storage.count
            storage.append(contentsOf: incoming.prefix(room))
            incoming = incoming.dropFirst(room)
        }
        // Full: overwrite the oldest bytes in place, in at most two contiguous runs.
        while !incoming.isEmpty {
            let run = min(incoming.count, limit - start)
            let source = incoming.prefix(run)
            storage.replaceSubrange(start..<(start + run), with: source)
            incoming = incoming.dropFirst(run)
            start = (start + run) % limit
        }
    }

    private mutating func appendPooled(_ chunk: UnsafeRawBufferPointer) {
        if !isKnownUniquelyReferenced(&chunks) {
            chunks = chunks?.copy(into: pool.unsafelyUnwrapped) ?? PooledChunks()
        }
        keep(chunk)
    }

    /// Not `mutating`: `self` is borrowed, so the pool and the chunks are used without retaining them.
    private func keep(_ chunk: UnsafeRawBufferPointer) {
        chunks.unsafelyUnwrapped.append(chunk, to: pool.unsafelyUnwrapped, keeping: limit)
    }
}
