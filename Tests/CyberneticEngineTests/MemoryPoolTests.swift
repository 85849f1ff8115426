@testable import CyberneticEngine
import Foundation
import Testing
import TestSupport

@Suite(.watchdog) struct MemoryPoolTests {
    private func stats(_ pool: MemoryPool, _ name: String) -> MemoryClassStats {
        pool.stats().first { $0.name == name }!
    }

    @Test(arguments: [(0, SizeClass.small), (1, .small), (1023, .small), (1024, .medium), (10239, .medium),
                      (10240, .large), (1 << 20, .large)])
    func requestsGoToTheRightClass(bytes: Int, expected: SizeClass) {
        #expect(SizeClass.forRequest(bytes) == expected)
    }

    @Test func largeBuffersAreChainsAndReadBackExactly() {
        let pool = MemoryPool()
        let bytes = (0..<(200 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let buffer = pool.store(bytes)
        #expect(buffer.bytes == bytes)
        #expect(stats(pool, "large").inUse == 4, "200 KiB in 64 KiB blocks")
        #expect(stats(pool, "large").bytesRequested == 200 * 1024)
        #expect(stats(pool, "large").bytesHeld == 256 * 1024)
    }

    @Test func aFullClassOverflowsToTheHeapAndNeverFails() {
        var settings = MemorySettings()
        settings.smallBlocks = 2
        let pool = MemoryPool(settings: settings)
        let held = (0..<5).map { pool.store(Array(repeating: UInt8($0), count: 100)) }
        let small = stats(pool, "small")
        #expect(small.inUse == 2)
        #expect(small.overflow == 3)
        #expect(held.enumerated().allSatisfy { $1.bytes == Array(repeating: UInt8($0), count: 100) })
    }

    @Test func statsAreExactAfterAScriptedSequence() {
        let pool = MemoryPool()
        var a: PooledBuffer? = pool.store([UInt8](repeating: 1, count: 10))       // small
        let b = pool.store([UInt8](repeating: 2, count: 2000))                    // medium
        var c: PooledBuffer? = pool.store([UInt8](repeating: 3, count: 1000))     // small
        var s = stats(pool, "small")
        #expect((s.inUse, s.highWater, s.slabs, s.bytesRequested, s.bytesHeld) == (2, 2, 1, 1010, 2048))
        #expect(s.utilisation == 2.0 / 32.0)
        a = nil
        s = stats(pool, "small")
        #expect((s.inUse, s.highWater, s.bytesRequested) == (1, 2, 1000))
        c = nil
        #expect(stats(pool, "small").inUse == 0)
        #expect(stats(pool, "medium").inUse == 1)
        #expect(b.count == 2000 && a == nil && c == nil)
    }

    @Test func blocksComeBackWhenBuffersDieOnManyThreads() async {
        let pool = MemoryPool()
        await withTaskGroup(of: Int.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var sum = 0
                    for i in 0..<500 {
                        let size = [100, 3000, 20_000][(worker + i) % 3]
                        let buffer = pool.store([UInt8](repeating: UInt8(truncatingIfNeeded: i), count: size))
                        sum += buffer.bytes.count
                    }
                    return sum
                }
            }
            for await _ in group {}
        }
        #expect(pool.stats().allSatisfy { $0.inUse == 0 && $0.bytesRequested == 0 })
    }

    @Test func aUniqueBufferReadsBackAndGivesItsBlocksBackWhenItGoesAway() {
        let pool = MemoryPool()
        let chainBytes = (0..<(150 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 5) }
        do {
            let small = pool.storeUnique([UInt8](repeating: 7, count: 300))
            let chain = pool.storeUnique(chainBytes)
            let (smallBytes, readBack) = (small.bytes, chain.bytes)
            #expect(smallBytes == [UInt8](repeating: 7, count: 300))
            #expect(readBack == chainBytes)
            #expect(stats(pool, "small").inUse == 1)
            #expect(stats(pool, "large").inUse == 3)
            _ = consume chain
            #expect(stats(pool, "large").inUse == 0, "consumed: its blocks are back")
            #expect(stats(pool, "large").bytesRequested == 0)
            #expect(small.count == 300)
        }
        #expect(stats(pool, "small").inUse == 0, "out of scope: its block is back")
        #expect(pool.stats().allSatisfy { $0.bytesRequested == 0 && $0.bytesHeld == 0 })
    }

    @Test func buffersOutliveTheirPoolAndStillReadBack() {
        // Buffers hold their class unretained; the class must stay alive until the last one is gone.
        var pool: MemoryPool? = MemoryPool()
        let small = pool!.store([UInt8](repeating: 9, count: 500))
        let chain = pool!.storeUnique((0..<(150 * 1024)).map { UInt8(truncatingIfNeeded: $0) })
        pool = nil
        #expect(small.bytes == [UInt8](repeating: 9, count: 500))
        #expect(chain.bytes == (0..<(150 * 1024)).map { UInt8(truncatingIfNeeded: $0) })
        #expect(small.count == 500 && chain.count == 150 * 1024)
    }

    @Test func aPooledOutputTailHoldsChunksInBlocksAndCopiesOnWrite() {
        let pool = MemoryPool()
        var tail = OutputTail(limit: 3000, pool: pool)
        for n in 0..<10 { tail.append([UInt8](repeating: UInt8(n), count: 1000)) }
        #expect(tail.totalBytes == 10_000 && tail.truncated)
        #expect(tail.bytes == (7..<10).flatMap { [UInt8](repeating: UInt8($0), count: 1000) })
        #expect(stats(pool, "small").inUse == 3, "only the chunks that still cover the limit are held")
        var copy = tail
        copy.append([UInt8](repeating: 42, count: 1000))
        #expect(tail.bytes == (7..<10).flatMap { [UInt8](repeating: UInt8($0), count: 1000) }, "the original is unchanged")
        #expect(copy.bytes.suffix(1000) == [UInt8](repeating: 42, count: 1000)[...])
        #expect(stats(pool, "small").inUse == 6, "the copy stored its own chunks before appending")
        // A read buffer (contiguous) and a lazy collection (not) keep the same tail.
        [UInt8](repeating: 5, count: 5000).withUnsafeBytes { tail.append($0) }
        tail.append((0..<4000).lazy.map { _ in UInt8(6) })
        #expect(tail.totalBytes == 19_000)
        #expect(tail.bytes == [UInt8](repeating: 6, count: 3000))
        tail = OutputTail(limit: 0)
        copy = OutputTail(limit: 0)
        #expect(pool.stats().allSatisfy { $0.inUse == 0 && $0.bytesRequested == 0 })
    }

    @Test func defragmentReleasesEmptySlabsAndKeepsEveryByte() {
        let pool = MemoryPool()
        var buffers: [PooledBuffer?] = (0..<96).map { i in
            pool.store((0..<900).map { UInt8(truncatingIfNeeded: $0 &+ i &* 13) })
        }
        #expect(stats(pool, "small").slabs == 3)
        // Keep every fourth buffer: three slabs, a quarter full each.
        for i in buffers.indices where i % 4 != 0 { buffers[i] = nil }
        let before = buffers.map { $0.map { DiskCache.digest($0.bytes) } }
        #expect(stats(pool, "small").inUse == 24)
        let released = pool.defragment()
        #expect(released == 2)
        #expect(stats(pool, "small").slabs == 1)
        #expect(stats(pool, "small").utilisation == 24.0 / 32.0)
        #expect(buffers.map { $0.map { DiskCache.digest($0.bytes) } } == before)
        buffers.removeAll()
        #expect(stats(pool, "small").inUse == 0)
    }

    @Test func theCacheMemoryTierGivesBlocksBackWhenItEvicts() throws {
        let pool = MemoryPool()
        var settings = CacheSettings()
        settings.maxEntries = 2
        let cache = CommandCache(settings: settings, directory: nil)
        func key(_ n: Int) -> CacheKey { CacheKey(digest: "key\(n)") }
        for n in 0..<2 {
            cache.store(key(n), CachedResult(exitCode: 0, stdout: [UInt8](repeating: 1, count: 5000), stderr: [], pool: pool))
        }
        #expect(stats(pool, "medium").inUse == 2)
        cache.store(key(2), CachedResult(exitCode: 0, stdout: [UInt8](repeating: 1, count: 5000), stderr: [], pool: pool))
        #expect(stats(pool, "medium").inUse == 2, "the evicted entry's block went back")
        #expect(cache.snapshot().first?.evictions == 1)
    }

    @Test func capturedOutputIsHeldInPooledBlocksAndReleased() async {
        let pool = MemoryPool()
        var request = CommandRequest(argv: ["sh", "-c", "head -c 300000 /dev/zero"], outputLimit: 100_000).scaled()
        request.memoryPool = pool
        var result: CommandResult? = await CommandRunner.run(request)
        #expect(result?.stdout.bytes.count == 100_000)
        #expect(result?.stdout.truncated == true)
        #expect(pool.stats().contains { $0.inUse > 0 })
        result = nil
        #expect(pool.stats().allSatisfy { $0.inUse == 0 })
    }
}
