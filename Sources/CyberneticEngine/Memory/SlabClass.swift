/// One size class: slabs of equal blocks, one LIFO stack of free blocks, and a handle table so that
/// live blocks can move (`defragment`) without their owners noticing. Not thread-safe by itself:
/// `ClassPool` keeps it behind a lock.
///
/// Everything the hot path touches is a flat array of 32-bit numbers: a block is
/// `slab << slabShift | index`, a handle is an index into `blockOfHandle`. Allocation pops a handle
/// and a block, release pushes them back; the block released last is the next one handed out, so
/// it is still in the cache when it is written again.
struct SlabClass: ~Copyable, @unchecked Sendable {
    let sizeClass: SizeClass
    let blockSize: Int
    let blocksPerSlab: Int
    let capacity: Int
    private let slabShift: Int32

    /// Slab memory by slab number; nil once `defragment` released it (the number is reused).
    private var slabs: [UnsafeMutableRawPointer?] = []
    private var liveInSlab: [Int32] = []
    private var freeBlocks: [Int32] = []
    private var blockOfHandle: [Int32] = []
    private var freeHandles: [Int32] = []

    private(set) var inUse = 0
    private(set) var highWater = 0
    private(set) var overflow = 0
    private(set) var overflowLive = 0
    private(set) var bytesRequested = 0
    private(set) var slabCount = 0

    init(sizeClass: SizeClass, capacity: Int) {
        self.sizeClass = sizeClass
        blockSize = sizeClass.blockSize
        blocksPerSlab = sizeClass.blocksPerSlab
        slabShift = Int32(blocksPerSlab.trailingZeroBitCount)
        precondition(1 << slabShift == blocksPerSlab, "blocks per slab must be a power of two")
        self.capacity = max(0, capacity)
    }

    deinit {
        for case let memory? in slabs { memory.deallocate() }
    }

    /// Takes a block and copies `bytes` into it. Past capacity the block is a heap allocation of
    /// its own, counted as overflow: a store never fails.
    mutating func store(_ bytes: UnsafeRawBufferPointer) -> BlockRef {
        bytesRequested += bytes.count
        if inUse < capacity, let block = takeBlock() {
            inUse += 1
            if inUse > highWater { highWater = inUse }
            let handle: Int32
            if let reused = freeHandles.popLast() {
                handle = reused
                blockOfHandle[Int(handle)] = block
            } else {
                handle = Int32(blockOfHandle.count)
                blockOfHandle.append(block)
            }
            copy(bytes, to: address(of: block))
            return BlockRef(handle: handle)
        }
        overflow += 1
        overflowLive += 1
        let memory = UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 16)
        copy(bytes, to: memory)
        return BlockRef(heap: memory)
    }

    mutating func release(_ ref: BlockRef, requested bytes: Int) {
        bytesRequested -= bytes
        if let memory = ref.heap {
            memory.deallocate()
            overflowLive -= 1
            return
        }
        let handle = ref.handle
        let block = blockOfHandle[handle]
        precondition(block >= 0, "block released twice")
        blockOfHandle[handle] = -1
        freeHandles.append(Int32(handle))
        freeBlocks.append(block)
        liveInSlab[Int(block >> slabShift)] -= 1
        inUse -= 1
    }

    func pointer(_ ref: BlockRef) -> UnsafeRawPointer {
        if let memory = ref.heap { return UnsafeRawPointer(memory) }
        return UnsafeRawPointer(address(of: blockOfHandle[ref.handle]))
    }

    private func copy(_ bytes: UnsafeRawBufferPointer, to memory: UnsafeMutableRawPointer) {
        if let base = bytes.baseAddress, bytes.count > 0 { memory.copyMemory(from: base, byteCount: bytes.count) }
    }

    private func address(of block: Int32) -> UnsafeMutableRawPointer {
        slabs[Int(block >> slabShift)].unsafelyUnwrapped + Int(block & Int32(blocksPerSlab - 1)) * blockSize
    }

    private mutating func takeBlock() -> Int32? {
        if freeBlocks.isEmpty && !addSlab() { return nil }
        let block = freeBlocks.removeLast()
        liveInSlab[Int(block >> slabShift)] += 1
        return block
    }

    /// Carves a new slab while the class is under its capacity.
    private mutating func addSlab() -> Bool {
        guard slabCount * blocksPerSlab < capacity else { return false }
        let memory = UnsafeMutableRawPointer.allocate(byteCount: blockSize * blocksPerSlab, alignment: 16)
        let number: Int
        if let empty = slabs.firstIndex(where: { $0 == nil }) {
            number = empty
            slabs[number] = memory
            liveInSlab[number] = 0
        } else {
            number = slabs.count
            slabs.append(memory)
            liveInSlab.append(0)
        }
        slabCount += 1
        let first = Int32(number) << slabShift
        freeBlocks.append(contentsOf: (0..<Int32(blocksPerSlab)).reversed().map { first | $0 })
        return true
    }

    /// Keeps the fullest slabs that can hold every live block, moves the blocks living elsewhere
    /// into their free blocks, and releases every other slab. Returns how many slabs were released.
    mutating func defragment() -> Int {
        let occupied = slabs.indices.filter { slabs[$0] != nil }
        let needed = (inUse + blocksPerSlab - 1) / blocksPerSlab
        let keep = Set(occupied.sorted { liveInSlab[$0] > liveInSlab[$1] }.prefix(needed))
        var used = Set<Int32>()
        for block in blockOfHandle where block >= 0 { used.insert(block) }
        var room = keep.sorted().flatMap { slab in
            (0..<Int32(blocksPerSlab)).map { Int32(slab) << slabShift | $0 }.filter { !used.contains($0) }
        }
        for handle in blockOfHandle.indices {
            let block = blockOfHandle[handle]
            guard block >= 0, !keep.contains(Int(block >> slabShift)) else { continue }
            let target = room.removeLast()
            address(of: target).copyMemory(from: address(of: block), byteCount: blockSize)
            blockOfHandle[handle] = target
            liveInSlab[Int(target >> slabShift)] += 1
            liveInSlab[Int(block >> slabShift)] -= 1
        }
        var released = 0
        for slab in occupied where !keep.contains(slab) {
            slabs[slab]?.deallocate()
            slabs[slab] = nil
            released += 1
        }
        slabCount -= released
        freeBlocks = room.reversed()
        return released
    }

    func stats() -> MemoryClassStats {
        var stats = MemoryClassStats(name: sizeClass.rawValue, blockSize: blockSize, capacity: capacity)
        stats.inUse = inUse
        stats.highWater = highWater
        stats.overflow = overflow
        stats.slabs = slabCount
        stats.blocksPerSlab = blocksPerSlab
        stats.bytesRequested = bytesRequested
        stats.bytesHeld = (inUse + overflowLive) * blockSize
        let carved = slabCount * blocksPerSlab
        stats.utilisation = carved == 0 ? 0 : Double(inUse) / Double(carved)
        return stats
    }
}

/// One block of a buffer: a handle into its class's table or, past capacity, a heap allocation of
/// its own (heap addresses are positive, so their complement is negative and never a handle).
struct BlockRef: Sendable {
    private let raw: Int

    init(handle: Int32) { raw = Int(handle) }
    init(heap: UnsafeMutableRawPointer) { raw = ~Int(bitPattern: heap) }

    var handle: Int { raw }
    var heap: UnsafeMutableRawPointer? { raw < 0 ? UnsafeMutableRawPointer(bitPattern: ~raw) : nil }
}
