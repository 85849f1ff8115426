/// One size class: slabs of equal blocks, a free list, and a handle table so that live blocks can
/// move (`defragment`) without their owners noticing. Not thread-safe by itself: `MemoryPool`
/// keeps each class behind its own lock.
struct SlabClass: @unchecked Sendable {
    /// Where a handle's bytes live: a block in a slab, or (over capacity) a heap allocation.
    enum Location {
        case block(slab: Int, index: Int)
        case heap(UnsafeMutableRawPointer)
    }

    private struct Slab {
        var memory: UnsafeMutableRawPointer
        var free: [Int]
        var live: Int
    }

    let sizeClass: SizeClass
    let capacity: Int
    private var slabs: [Slab?] = []
    private var locations: [Location?] = []
    private var freeHandles: [Int] = []
    /// Slabs with a free block, so allocation does not search.
    private var slabsWithRoom: [Int] = []
    private(set) var inUse = 0
    private(set) var highWater = 0
    private(set) var overflow = 0
    private(set) var overflowLive = 0
    private(set) var bytesRequested = 0

    init(sizeClass: SizeClass, capacity: Int) {
        self.sizeClass = sizeClass
        self.capacity = max(0, capacity)
    }

    var slabCount: Int { slabs.lazy.compactMap { $0 }.count }
    private var blockSize: Int { sizeClass.blockSize }

    /// A handle to one block; from the heap when the class is at capacity (counted as overflow).
    mutating func allocate(requesting bytes: Int) -> Int {
        let location: Location
        if inUse < capacity, let slot = takeBlock() {
            location = .block(slab: slot.slab, index: slot.index)
            inUse += 1
            highWater = max(highWater, inUse)
        } else {
            location = .heap(UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 16))
            overflow += 1
            overflowLive += 1
        }
        bytesRequested += bytes
        let handle: Int
        if let reused = freeHandles.popLast() {
            handle = reused
            locations[handle] = location
        } else {
            handle = locations.count
            locations.append(location)
        }
        return handle
    }

    mutating func release(_ handle: Int, requested bytes: Int) {
        guard let location = locations[handle] else { preconditionFailure("block released twice") }
        locations[handle] = nil
        freeHandles.append(handle)
        bytesRequested -= bytes
        switch location {
        case .heap(let pointer):
            pointer.deallocate()
            overflowLive -= 1
        case .block(let slab, let index):
            inUse -= 1
            slabs[slab]!.free.append(index)
            slabs[slab]!.live -= 1
            if slabs[slab]!.free.count == 1 { slabsWithRoom.append(slab) }
        }
    }

    func pointer(_ handle: Int) -> UnsafeMutableRawPointer {
        switch locations[handle]! {
        case .heap(let pointer): pointer
        case .block(let slab, let index): slabs[slab]!.memory + index * blockSize
        }
    }

    private mutating func takeBlock() -> (slab: Int, index: Int)? {
        while let slab = slabsWithRoom.last {
            if let index = slabs[slab]?.free.popLast() {
                slabs[slab]!.live += 1
                if slabs[slab]!.free.isEmpty { slabsWithRoom.removeLast() }
                return (slab, index)
            }
            slabsWithRoom.removeLast()
        }
        guard slabCount * sizeClass.blocksPerSlab < capacity else { return nil }
        let slab = Slab(memory: .allocate(byteCount: blockSize * sizeClass.blocksPerSlab, alignment: 16),
                        free: Array((1..<sizeClass.blocksPerSlab).reversed()), live: 1)
        let number: Int
        if let empty = slabs.firstIndex(where: { $0 == nil }) {
            number = empty
            slabs[number] = slab
        } else {
            number = slabs.count
            slabs.append(slab)
        }
        if !slab.free.isEmpty { slabsWithRoom.append(number) }
        return (number, 0)
    }

    /// Moves live blocks out of the emptiest slabs into free blocks of fuller ones, then releases
    /// every slab left empty. Returns how many slabs were released.
    mutating func defragment() -> Int {
        var moved = true
        while moved {
            moved = false
            let occupied = slabs.indices.filter { slabs[$0] != nil && slabs[$0]!.live > 0 }
            guard let source = occupied.min(by: { slabs[$0]!.live < slabs[$1]!.live }) else { break }
            let room = occupied.filter { $0 != source }.reduce(0) { $0 + slabs[$1]!.free.count }
            guard room >= slabs[source]!.live else { break }
            for handle in locations.indices {
                guard case .block(let slab, let index)? = locations[handle], slab == source else { continue }
                guard let target = occupied.first(where: { $0 != source && !slabs[$0]!.free.isEmpty }),
                      let newIndex = slabs[target]!.free.popLast() else { break }
                let from = slabs[source]!.memory + index * blockSize
                let to = slabs[target]!.memory + newIndex * blockSize
                to.copyMemory(from: from, byteCount: blockSize)
                slabs[target]!.live += 1
                slabs[source]!.live -= 1
                slabs[source]!.free.append(index)
                locations[handle] = .block(slab: target, index: newIndex)
                moved = true
            }
        }
        var released = 0
        for number in slabs.indices where slabs[number] != nil && slabs[number]!.live == 0 {
            slabs[number]!.memory.deallocate()
            slabs[number] = nil
            released += 1
        }
        slabsWithRoom = slabs.indices.filter { slabs[$0] != nil && !slabs[$0]!.free.isEmpty }
        return released
    }

    func stats() -> MemoryClassStats {
        var stats = MemoryClassStats(name: sizeClass.rawValue, blockSize: blockSize, capacity: capacity)
        stats.inUse = inUse
        stats.highWater = highWater
        stats.overflow = overflow
        stats.slabs = slabCount
        stats.blocksPerSlab = sizeClass.blocksPerSlab
        stats.bytesRequested = bytesRequested
        stats.bytesHeld = (inUse + overflowLive) * blockSize
        let carved = slabCount * sizeClass.blocksPerSlab
        stats.utilisation = carved == 0 ? 0 : Double(inUse) / Double(carved)
        return stats
    }
}
