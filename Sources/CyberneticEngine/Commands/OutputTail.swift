import Collections

/// Keeps the last `limit` bytes of a stream and counts the rest, so a command that floods its
/// output costs bounded memory however much it writes.
public struct OutputTail: Sendable {
    public let limit: Int
    public private(set) var totalBytes = 0
    private var storage: [UInt8] = []
    /// Once full, `storage` is a ring and this is where the oldest byte sits.
    private var start = 0

    /// With a pool, chunks are held in pooled blocks: whole chunks, the oldest dropped once the
    /// newer ones alone cover `limit`.
    private let pool: MemoryPool?
    private var chunks: Deque<PooledBuffer> = []
    private var chunkBytes = 0

    public init(limit: Int, pool: MemoryPool? = nil) {
        self.limit = max(0, limit)
        self.pool = pool
    }

    public var truncated: Bool { totalBytes > limit }

    public var bytes: [UInt8] {
        if pool != nil {
            let all = chunks.flatMap(\.bytes)
            return Array(all.suffix(limit))
        }
        guard start > 0 else { return storage }
        return Array(storage[start...] + storage[..<start])
    }

    public mutating func append(_ chunk: some Collection<UInt8>) {
        totalBytes += chunk.count
        guard limit > 0, !chunk.isEmpty else { return }
        if let pool {
            let held = pool.store(chunk.suffix(limit))
            chunks.append(held)
            chunkBytes += held.count
            while chunks.count > 1, chunkBytes - chunks[0].count >= limit {
                chunkBytes -= chunks.removeFirst().count
            }
            return
        }
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
}
