/// Keeps the last `limit` bytes of a stream and counts the rest, so a command that floods its
/// output costs bounded memory however much it writes.
public struct OutputTail: Sendable {
    public let limit: Int
    public private(set) var totalBytes = 0
    private var storage: [UInt8] = []
    private var start = 0

    public init(limit: Int) {
        self.limit = max(0, limit)
    }

    public var truncated: Bool { totalBytes > limit }

    public var bytes: [UInt8] {
        guard storage.count == limit, start > 0 else { return storage }
        return Array(storage[start...] + storage[..<start])
    }

    public mutating func append(_ chunk: some Collection<UInt8>) {
        totalBytes += chunk.count
        guard limit > 0 else { return }
        for byte in chunk.suffix(limit) {
            if storage.count < limit {
                storage.append(byte)
            } else {
                storage[start] = byte
                start = (start + 1) % limit
            }
        }
    }
}
