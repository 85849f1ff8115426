import Foundation

/// Bytes held either in pooled blocks (the `memory_pool` flag on) or in a plain array.
///
/// A struct with two stored fields, not an enum of the two cases: Swift keeps the case of a
/// multi-payload enum in the spare high bits of the payload, so an enum's pooled case stores its
/// buffer's address with bit 63 set. LeakSanitizer does not recognise that word as a pointer and
/// reported every pooled buffer still held at exit (a cache entry of a remote upload in flight)
/// as leaked. Two plain fields keep the reference an ordinary pointer; `HeldBytesTests` checks it.
public struct HeldBytes: Sendable {
    private let heap: [UInt8]
    private let pooled: PooledBuffer?

    public init(_ bytes: [UInt8], pool: MemoryPool?) {
        // Nothing to hold (most commands write no stderr): no block and no object for it.
        guard let pool, !bytes.isEmpty else {
            self.init(heap: bytes, pooled: nil)
            return
        }
        self.init(heap: [], pooled: pool.store(bytes))
    }

    private init(heap: [UInt8], pooled: PooledBuffer?) {
        self.heap = heap
        self.pooled = pooled
    }

    /// Bytes in a plain array, whatever the memory pool flag says.
    public static func heap(_ bytes: [UInt8]) -> HeldBytes {
        HeldBytes(heap: bytes, pooled: nil)
    }

    /// The pooled buffer holding the bytes, if they are pooled.
    var buffer: PooledBuffer? { pooled }

    public var bytes: [UInt8] { pooled?.bytes ?? heap }

    public var count: Int { pooled?.count ?? heap.count }
}

/// What a cache hit replays: the exit code, the exact bytes of stdout and stderr, and the files
/// the command wrote that its task declared as `outputs`.
public struct CachedResult: Sendable, Equatable {
    public var exitCode: Int32
    public var heldStdout: HeldBytes
    public var heldStderr: HeldBytes
    public var createdAt: Date
    /// How long the command took when it really ran, to tell the user what the hit saved.
    public var originalDurationMs: Int64
    public var outputs: [CachedOutput]

    public init(exitCode: Int32, stdout: [UInt8], stderr: [UInt8], createdAt: Date = Date(), originalDurationMs: Int64 = 0,
                outputs: [CachedOutput] = [], pool: MemoryPool? = nil) {
        self.outputs = outputs
        self.exitCode = exitCode
        heldStdout = HeldBytes(stdout, pool: pool)
        heldStderr = HeldBytes(stderr, pool: pool)
        self.createdAt = createdAt
        self.originalDurationMs = originalDurationMs
    }

    public var stdout: [UInt8] { heldStdout.bytes }
    public var stderr: [UInt8] { heldStderr.bytes }
    public var byteCount: Int { heldStdout.count + heldStderr.count + outputs.reduce(0) { $0 + $1.size } }

    public static func == (a: CachedResult, b: CachedResult) -> Bool {
        a.exitCode == b.exitCode && a.stdout == b.stdout && a.stderr == b.stderr
            && a.createdAt == b.createdAt && a.originalDurationMs == b.originalDurationMs && a.outputs == b.outputs
    }
}

/// Which tier answered, or that the command really ran.
public enum CacheTier: String, Sendable, Codable, CaseIterable {
    case memory, disk, remote
}
