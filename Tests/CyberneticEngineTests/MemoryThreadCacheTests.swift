@testable import CyberneticEngine
import Dispatch
import Foundation
import Testing
import TestSupport

/// The per-thread caches in front of the small and medium classes (`Magazine`): blocks a thread
/// released and caches are counted exactly, come back on a drain, and are not lost when the thread
/// exits. Each test runs its operations on threads of its own (pthreads), which start with no
/// cache or with the record of a thread that exited.
@Suite(.watchdog) struct MemoryThreadCacheTests {
    private func stats(_ pool: MemoryPool, _ name: String) -> MemoryClassStats {
        pool.stats().first { $0.name == name }!
    }

    @Test func magazinesAreOnWhereMembarrierIs() {
        // CI and this machine run Linux >= 4.14 in containers that allow membarrier(2): if this
        // fails, every store and release silently takes the lock and the benchmarks say so.
        #expect(ThreadCaches.enabled)
    }

    @Test func aThreadsReleasedBlocksAreCachedAndReusedWithExactStats() {
        let pool = MemoryPool()
        let cached = Measured()
        Threads.run {
            // The first store takes the lock and adopts this thread's magazine; the releases then
            // go into it, and the next stores come out of it.
            var held = (0..<5).map { pool.store([UInt8](repeating: UInt8($0), count: 100 + $0)) }
            held.removeAll()
            cached.value = pool.small.cachedBlockCount()
            let again = (0..<3).map { pool.store([UInt8](repeating: UInt8(50 + $0), count: 200)) }
            let s = pool.stats().first { $0.name == "small" }!
            cached.stats = s
            cached.bytes = again.map(\.bytes)
        }
        #expect(cached.value == 5, "the five released blocks sit in the thread's magazine")
        #expect(cached.stats.map { ($0.inUse, $0.highWater, $0.bytesRequested, $0.bytesHeld) }! == (3, 5, 600, 3 * 1024))
        #expect(cached.bytes == (0..<3).map { [UInt8](repeating: UInt8(50 + $0), count: 200) })
        #expect(stats(pool, "small").inUse == 0)
        #expect(stats(pool, "small").bytesRequested == 0)
    }

    @Test func blocksCachedByAThreadThatExitsAreNotLost() {
        var pool: MemoryPool? = MemoryPool()
        weak let small = pool!.small
        weak let medium = pool!.medium
        do {
            let live = pool!
            Threads.run {
                var held = (0..<10).map { live.store([UInt8](repeating: UInt8($0), count: 500)) }
                held += (0..<3).map { live.store([UInt8](repeating: UInt8($0), count: 5000)) }
                held.removeAll()
            }
        }
        // The thread is gone with 10 small and 3 medium blocks in its magazines.
        #expect(stats(pool!, "small").inUse == 0)
        #expect(stats(pool!, "medium").inUse == 0)
        #expect(stats(pool!, "small").slabs == 1)
        // Defragment drains the retired record's magazines: the blocks are free again, so the
        // slabs holding them are released (a block still counted as taken would keep its slab).
        #expect(pool!.defragment() == 2)
        #expect(stats(pool!, "small").slabs == 0)
        #expect(stats(pool!, "medium").slabs == 0)
        // And the classes go away with the pool: no cache keeps them alive.
        pool = nil
        #expect(small == nil && medium == nil)
    }

    @Test func highWaterAndOverflowCountWhatOwnersHeldNotWhatThreadsCached() {
        var settings = MemorySettings()
        settings.smallBlocks = 16
        let pool = MemoryPool(settings: settings)
        let cachedByA = DispatchSemaphore(value: 0)
        let bDone = DispatchSemaphore(value: 0)
        let seen = Measured()
        let a = Threads.start {
            var held = (0..<10).map { pool.store([UInt8](repeating: UInt8($0), count: 64)) }
            held.removeAll()
            seen.value = pool.small.cachedBlockCount()
            cachedByA.signal()
            bDone.wait()
        }
        let b = Threads.start {
            cachedByA.wait()
            // 16 blocks held while thread A caches 10: the class is not full and the high-water
            // mark is 16, because A's cached blocks are drained before either is counted.
            var held = (0..<16).map { pool.store([UInt8](repeating: UInt8($0), count: 64)) }
            seen.stats = pool.stats().first { $0.name == "small" }!
            held.append(pool.store([UInt8](repeating: 99, count: 64)))
            seen.after = pool.stats().first { $0.name == "small" }!
            held.removeAll()
            bDone.signal()
        }
        Threads.join(a)
        Threads.join(b)
        #expect(seen.value == 10)
        #expect(seen.stats.map { ($0.inUse, $0.highWater, $0.overflow) }! == (16, 16, 0))
        #expect(seen.after.map { ($0.inUse, $0.highWater, $0.overflow) }! == (16, 16, 1), "the 17th is the first overflow")
        #expect(stats(pool, "small").inUse == 0 && stats(pool, "small").bytesRequested == 0)
    }

    @Test func statsAreExactWhileThreadsStoreAndReleaseConcurrently() {
        let pool = MemoryPool()
        let kept = Mutex<[PooledBuffer]>([])
        let threads = (0..<4).map { worker in
            Threads.start {
                for round in 0..<2000 {
                    let size = [100, 700, 3000, 9000][(worker + round) % 4]
                    let buffer = pool.store([UInt8](repeating: UInt8(truncatingIfNeeded: round), count: size))
                    precondition(buffer.bytes.count == size)
                    if round % 250 == 0 { kept.withLock { $0.append(buffer) } }
                    if round % 500 == 0 { _ = pool.stats() }
                    if worker == 0, round % 700 == 0 { pool.defragment() }
                }
            }
        }
        threads.forEach(Threads.join)
        // Counts and bytes of the kept buffers (not the buffers: they must go with `kept`).
        let expected = kept.withLock { buffers in
            let small = buffers.filter { $0.count < 1024 }.map(\.count)
            let medium = buffers.filter { $0.count >= 1024 }.map(\.count)
            return (small: (small.count, small.reduce(0, +)), medium: (medium.count, medium.reduce(0, +)))
        }
        let small = stats(pool, "small")
        let medium = stats(pool, "medium")
        #expect(expected.small.0 > 0 && expected.medium.0 > 0)
        #expect((small.inUse, small.bytesRequested) == expected.small)
        #expect((medium.inUse, medium.bytesRequested) == expected.medium)
        kept.withLock { $0.removeAll() }
        #expect(pool.stats().allSatisfy { $0.inUse == 0 && $0.bytesRequested == 0 && $0.bytesHeld == 0 })
        pool.defragment()
        #expect(pool.stats().allSatisfy { $0.slabs == 0 }, "every cached block came back")
    }
}

import Synchronization

/// Results a test thread hands back (written before the thread is joined or signals).
private final class Measured: @unchecked Sendable {
    var value = 0
    var stats: MemoryClassStats?
    var after: MemoryClassStats?
    var bytes: [[UInt8]] = []
}

/// Real threads (pthreads), so that each test's threads start and exit when it says.
private enum Threads {
    private final class Body: @unchecked Sendable {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    static func start(_ body: @escaping @Sendable () -> Void) -> pthread_t {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { context in
            Unmanaged<Body>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, context)
        precondition(started == 0, "pthread_create: \(started)")
        return thread
    }

    /// Waits for the thread to exit (its thread-local destructors have run when this returns).
    static func join(_ thread: pthread_t) {
        pthread_join(thread, nil)
    }

    static func run(_ body: @escaping @Sendable () -> Void) {
        join(start(body))
    }
}
