import Benchmark
import CyberneticEngine
#if canImport(Glibc)
import Glibc
#endif

// For each size: allocate, write every byte, release, 1000 times, three ways in the same run:
//   Memory/pool N     vs  Memory/array N   and  Memory/malloc N
// The pool must beat both for small (256 B) and medium (4 KiB) buffers.

let sizes = [256, 4096, 32 * 1024]
let rounds = 1000

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(3), maxIterations: 1000)
    let pool = MemoryPool()

    for size in sizes {
        let payload = [UInt8](repeating: 0xAB, count: size)

        Benchmark("Memory/pool \(size) B") { benchmark in
            for _ in benchmark.scaledIterations {
                for _ in 0..<rounds { blackHole(pool.store(payload)) }
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
