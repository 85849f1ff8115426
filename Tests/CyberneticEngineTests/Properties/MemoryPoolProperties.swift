@testable import CyberneticEngine
import PropertyBased
import Testing
import TestSupport

/// Random store / release / defragment sequences against a model of the pool's accounting: every
/// live buffer reads back exactly the bytes it was given, and every class's stats match the model
/// after every step, overflow to the heap included.
@Suite(.watchdog) struct MemoryPoolProperties {
    /// The accounting of one class, kept the plain way.
    struct ClassModel {
        let sizeClass: SizeClass
        let capacity: Int
        var inUse = 0
        var overflowLive = 0
        var overflow = 0
        var highWater = 0
        var bytesRequested = 0

        /// Blocks of `count` bytes; returns which of them were pooled (false: heap overflow).
        mutating func store(_ count: Int) -> [(pooled: Bool, length: Int)] {
            let size = sizeClass.blockSize
            let blocks = max(1, (count + size - 1) / size)
            return (0..<blocks).map { block in
                let length = min(size, count - block * size)
                bytesRequested += length
                if inUse < capacity {
                    inUse += 1
                    highWater = max(highWater, inUse)
                    return (true, length)
                }
                overflow += 1
                overflowLive += 1
                return (false, length)
            }
        }

        mutating func release(_ blocks: [(pooled: Bool, length: Int)]) {
            for block in blocks {
                bytesRequested -= block.length
                if block.pooled { inUse -= 1 } else { overflowLive -= 1 }
            }
        }
    }

    struct Held {
        var buffer: PooledBuffer
        var bytes: [UInt8]
        var sizeClass: SizeClass
        var blocks: [(pooled: Bool, length: Int)]
    }

    /// A request size: under 1 KiB, medium, large (chains), or one of the class boundaries.
    static func size(kind: Int, raw: Int) -> Int {
        switch kind {
        case 0: raw % 1024
        case 1: 1024 + raw % (9 * 1024)
        case 2: 10 * 1024 + raw % 120_000
        default: [0, 1, 1023, 1024, 10239, 10240, 65536, 65537, 131_072][raw % 9]
        }
    }

    static func content(_ count: Int, seed: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed &* 7 &+ $0 >> 8) }
    }

    /// 0-4: store, 5-7: release a live buffer, 8: defragment; then a size kind and a raw number.
    static let steps = zip(Gen.int(in: 0...8), Gen.int(in: 0...3), Gen.int(in: 0...1_000_000)).array(of: 0...60)
    static let capacities = zip(Gen.int(in: 0...70), Gen.int(in: 0...20), Gen.int(in: 0...9))

    @Test func bytesStayIntactAndStatsMatchTheModel() async {
        await propertyCheck(count: 50, input: Self.capacities, Self.steps) { capacities, steps in
            var settings = MemorySettings()
            (settings.smallBlocks, settings.mediumBlocks, settings.largeBlocks) = capacities
            let pool = MemoryPool(settings: settings)
            var models: [SizeClass: ClassModel] = [
                .small: ClassModel(sizeClass: .small, capacity: capacities.0),
                .medium: ClassModel(sizeClass: .medium, capacity: capacities.1),
                .large: ClassModel(sizeClass: .large, capacity: capacities.2),
            ]
            var held: [Held] = []
            for (number, (action, kind, raw)) in steps.enumerated() {
                switch action {
                case 0...4:
                    let count = Self.size(kind: kind, raw: raw)
                    let bytes = Self.content(count, seed: number)
                    let sizeClass = SizeClass.forRequest(count)
                    let blocks = models[sizeClass]!.store(count)
                    let buffer = pool.store(bytes)
                    #expect(buffer.count == count && buffer.bytes == bytes, "step \(number): read back what was stored")
                    held.append(Held(buffer: buffer, bytes: bytes, sizeClass: sizeClass, blocks: blocks))
                case 5...7:
                    guard !held.isEmpty else { continue }
                    let gone = held.remove(at: raw % held.count)
                    models[gone.sizeClass]!.release(gone.blocks)
                default:
                    let before = pool.stats().map(\.slabs).reduce(0, +)
                    let released = pool.defragment()
                    let after = pool.stats()
                    #expect(before - released == after.map(\.slabs).reduce(0, +))
                    for stats in after {
                        #expect(stats.slabs == (stats.inUse + stats.blocksPerSlab - 1) / stats.blocksPerSlab,
                                "after defragment, \(stats.name) keeps just the slabs its live blocks need")
                    }
                }
                // Every live buffer after a defragment (blocks moved) and at the end (blocks reused).
                if action == 8 || number == steps.count - 1 {
                    for item in held {
                        #expect(item.buffer.bytes == item.bytes, "step \(number): a live buffer's bytes changed")
                    }
                }
                for stats in pool.stats() {
                    let model = models[SizeClass(rawValue: stats.name)!]!
                    #expect(stats.inUse == model.inUse, "\(stats.name) in use")
                    #expect(stats.highWater == model.highWater, "\(stats.name) high water")
                    #expect(stats.overflow == model.overflow, "\(stats.name) overflow")
                    #expect(stats.bytesRequested == model.bytesRequested, "\(stats.name) bytes requested")
                    #expect(stats.bytesHeld == (model.inUse + model.overflowLive) * stats.blockSize, "\(stats.name) bytes held")
                    #expect(stats.slabs * stats.blocksPerSlab >= stats.inUse)
                    #expect(stats.slabs <= (model.capacity + stats.blocksPerSlab - 1) / stats.blocksPerSlab)
                    let carved = stats.slabs * stats.blocksPerSlab
                    #expect(stats.utilisation == (carved == 0 ? 0 : Double(stats.inUse) / Double(carved)))
                }
            }
            held.removeAll()
            #expect(pool.stats().allSatisfy { $0.inUse == 0 && $0.bytesRequested == 0 && $0.bytesHeld == 0 })
        }
    }

    @Test func concurrentSequencesKeepTheirBytesAndGiveEveryBlockBack() async {
        await propertyCheck(count: 8, input: Self.steps.array(of: 2...4), Gen.int(in: 0...12)) { workers, capacity in
            var settings = MemorySettings()
            (settings.smallBlocks, settings.mediumBlocks, settings.largeBlocks) = (capacity, capacity, capacity)
            let pool = MemoryPool(settings: settings)
            let intact = await withTaskGroup(of: Bool.self) { group in
                for (worker, steps) in workers.enumerated() {
                    group.addTask {
                        var held: [(PooledBuffer, [UInt8])] = []
                        var intact = true
                        for (number, (action, kind, raw)) in steps.enumerated() {
                            switch action {
                            case 0...4:
                                let bytes = Self.content(Self.size(kind: kind, raw: raw), seed: worker * 1000 + number)
                                held.append((pool.store(bytes), bytes))
                            case 5...7 where !held.isEmpty:
                                held.remove(at: raw % held.count)
                            default:
                                pool.defragment()
                            }
                            if let last = held.last, action <= 4 { intact = intact && last.0.bytes == last.1 }
                        }
                        return intact && held.allSatisfy { $0.0.bytes == $0.1 }
                    }
                }
                return await group.reduce(true) { $0 && $1 }
            }
            #expect(intact)
            for stats in pool.stats() {
                #expect(stats.inUse == 0 && stats.bytesRequested == 0 && stats.bytesHeld == 0, "\(stats.name) gave everything back")
                #expect(stats.highWater <= capacity)
            }
        }
    }
}
