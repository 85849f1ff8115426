import Benchmark
import CyberneticEngine
#if canImport(Glibc)
import Glibc
#endif

// For each size: allocate, write every byte, release, 1000 times, in the same run:
//   Memory/output tail N (the engine's capture path: an OutputTail keeping the last N bytes, fed
//   N-byte reads, so each append stores a chunk in the pool and gives the previous one back),
//   Memory/pool unique N (a ~Copyable UniquePooledBuffer, what the tail holds its chunks in) and
//   Memory/pool N (the shared PooledBuffer the cache's memory tier holds results in)
//   vs  Memory/array N  and  Memory/malloc N
// The pool must beat both for small (256 B) and medium (4 KiB) buffers.

let sizes = [256, 4096, 32 * 1024]
let rounds = 1000

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(3), maxIterations: 1000)
    let pool = MemoryPool()

    for size in sizes {
        let payload = [UInt8](repeating: 0xAB, count: size)

        Benchmark("Memory/output tail \(size) B") { benchmark in
            var tail = OutputTail(limit: size, pool: pool)
            payload.withUnsafeBytes { read in
                for _ in benchmark.scaledIterations {
                    for _ in 0..<rounds { tail.append(read) }
                }
            }
            blackHole(tail.totalBytes)
        }

        Benchmark("Memory/pool \(size) B") { benchmark in
            for _ in benchmark.scaledIterations {
                for _ in 0..<rounds { blackHole(pool.store(payload)) }
            }
        }

        // The pool without the shared handle: a ~Copyable owner, so no object is allocated per store.
        Benchmark("Memory/pool unique \(size) B") { benchmark in
            for _ in benchmark.scaledIterations {
                for _ in 0..<rounds {
                    let buffer = pool.storeUnique(payload)
                    blackHole(buffer.count)
                }
            }
        }

        Benchmark("Memory/array \(size) B") { benchmark in
            for _ in benchmark.scaledIterations {
                for _ in 0..<rounds {
                    // A fresh array written once, as the pool writes its block: no zero-fill first.
                    let copy = [UInt8](unsafeUninitializedCapacity: size) { raw, initialized in
                        payload.withUnsafeBytes { UnsafeMutableRawBufferPointer(raw).copyMemory(from: $0) }
                        initialized = size
                    }
                    blackHole(copy)
                }
            }
        }

        Benchmark("Memory/malloc \(size) B") { benchmark in
            for _ in benchmark.scaledIterations {
                for _ in 0..<rounds {
                    let pointer = malloc(size)!
                    payload.withUnsafeBytes { pointer.copyMemory(from: $0.baseAddress!, byteCount: size) }
                    blackHole(pointer)
                    free(pointer)
                }
            }
        }
    }
}
