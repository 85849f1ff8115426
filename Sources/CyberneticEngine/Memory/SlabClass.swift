/// One size class: slabs of equal blocks, one LIFO stack of free blocks, and a handle table so that
/// live blocks can move (`defragment`) without their owners noticing. Not thread-safe by itself:
/// `ClassPool` keeps it behind a lock.
///
/// Everything the hot path touches is a flat table of 32-bit numbers, allocated once for the class's
/// capacity (live blocks, handles and slabs can never exceed it), so a store or a release is a few
/// loads and stores with no growth, uniqueness or bounds checks: a block is `slab << slabShift | index`,
/// a handle is an index into `blockOfHandle`. Allocation pops a handle and a block, release pushes them
/// back; the block released last is the next one handed out, so it is still in the cache when it is
/// written again.
///
/// Blocks in thread caches (`Magazine`) are taken from here: `inUse` counts them, and `stats` is told
/// how many there are so that it reports the blocks owners hold.
struct SlabClass: ~Copyable, @unchecked Sendable {
    let sizeClass: SizeClass
    let blockSize: Int
    let blocksPerSlab: Int
    let capacity: Int
    /// The tables a handle's address is computed from, for the lock-free fast paths.
    let layout: SlabLayout
    private var slabShift: Int32 { layout.slabShift }
    private let maxSlabs: Int

    /// Slab memory by slab number; nil once `defragment` released it (the number is reused).
    private var slabs: UnsafeMutablePointer<UnsafeMutableRawPointer?> { layout.slabs }
    private let liveInSlab: UnsafeMutablePointer<Int32>
    /// Slab numbers ever used: `0..<slabNumbers`.
    private var slabNumbers = 0
    private let freeBlocks: UnsafeMutablePointer<Int32>
    private var freeBlockCount = 0
    /// The block each handle points at; -1 while the handle is free.
    private var blockOfHandle: UnsafeMutablePointer<Int32> { layout.blockOfHandle }
    /// Handles ever used: `0..<handleCount`.
    private var handleCount = 0
    private let freeHandles: UnsafeMutablePointer<Int32>
    private var freeHandleCount = 0

    /// Blocks taken from the free stack: held by owners or cached by threads.
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
        let slabShift = Int32(blocksPerSlab.trailingZeroBitCount)
        precondition(1 << slabShift == blocksPerSlab, "blocks per slab must be a power of two")
        self.capacity = max(0, capacity)
        maxSlabs = (self.capacity + blocksPerSlab - 1) / blocksPerSlab
        let slabs = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: max(1, maxSlabs))
        slabs.initialize(repeating: nil, count: max(1, maxSlabs))
        layout = SlabLayout(slabs: slabs, blockOfHandle: .allocate(capacity: max(1, self.capacity)),
                            slabShift: slabShift, blockSize: blockSize)
        liveInSlab = .allocate(capacity: max(1, maxSlabs))
        liveInSlab.initialize(repeating: 0, count: max(1, maxSlabs))
        // A slab carved while `inUse < capacity` can bring the free stack to capacity + a slab.
        freeBlocks = .allocate(capacity: max(1, maxSlabs * blocksPerSlab))
        freeHandles = .allocate(capacity: max(1, self.capacity))
    }

    deinit {
        for slab in 0..<slabNumbers { slabs[slab]?.deallocate() }
        slabs.deallocate()
        liveInSlab.deallocate()
        freeBlocks.deallocate()
        blockOfHandle.deallocate()
        freeHandles.deallocate()
    }

    /// Blocks handed out and not yet given back, pooled or heap.
    var live: Int { inUse + overflowLive }

    /// Takes a block for `count` bytes and returns it with the address to write them to. Past
    /// capacity the block is a heap allocation of its own, counted as overflow: a store never fails.
    @inline(__always)
    mutating func take(_ count: Int) -> (BlockRef, UnsafeMutableRawPointer) {
        bytesRequested += count
        if inUse < capacity, freeBlockCount > 0 || addSlab() {
            freeBlockCount -= 1
            let block = freeBlocks[freeBlockCount]
            countLive(in: block, 1)
            inUse += 1
            if inUse > highWater { highWater = inUse }
            let handle: Int32
            if freeHandleCount > 0 {
                freeHandleCount -= 1
                handle = freeHandles[freeHandleCount]
            } else {
                handle = Int32(handleCount)
                handleCount += 1
            }
            blockOfHandle[Int(handle)] = block
            return (BlockRef(handle: handle), address(of: block))
        }
        overflow += 1
        overflowLive += 1
        let memory = UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 16)
        return (BlockRef(heap: memory), memory)
    }

    @inline(__always)
    mutating func release(_ ref: BlockRef, requested bytes: Int) {
        bytesRequested -= bytes
        if let memory = ref.heap {
            memory.deallocate()
            overflowLive -= 1
            return
        }
        let handle = ref.handle
        precondition(handle >= 0 && handle < handleCount, "not a block of this class")
        let block = blockOfHandle[handle]
        precondition(block >= 0, "block released twice")
        blockOfHandle[handle] = -1
        freeHandles[freeHandleCount] = Int32(handle)
        freeHandleCount += 1
        freeBlocks[freeBlockCount] = block
        freeBlockCount += 1
        countLive(in: block, -1)
        inUse -= 1
    }

    @inline(__always)
    func pointer(_ ref: BlockRef) -> UnsafeRawPointer {
        if let memory = ref.heap { return UnsafeRawPointer(memory) }
        return UnsafeRawPointer(address(of: blockOfHandle[ref.handle]))
    }

    /// A plain load and store rather than `liveInSlab[slab] += delta`: Swift 6.3.1 crashes compiling
    /// a compound assignment through a pointer subscript, inside a `mutating` method of a `~Copyable`
    /// struct with more than one stored property, with `-sanitize=thread` ("Invalid bitcast" from the
    /// LLVM verifier; the inout-access instrumentation takes the struct's first field as its address).
    /// `ptr[i] = ptr[i] + 1` and `(ptr + i).pointee += 1` compile; keep `op=` on tables out of here.
    @inline(__always)
    private func countLive(in block: Int32, _ delta: Int32) {
        let slab = Int(block >> slabShift)
        liveInSlab[slab] = liveInSlab[slab] &+ delta
    }

    @inline(__always)
    private func address(of block: Int32) -> UnsafeMutableRawPointer {
        layout.address(of: block)
    }

    /// Adds bytes that thread caches' stores and releases requested (negative: released).
    mutating func addRequested(_ bytes: Int) {
        bytesRequested += bytes
    }

    /// Carves a new slab while the class is under its capacity.
    @inline(never)
    private mutating func addSlab() -> Bool {
        guard slabCount * blocksPerSlab < capacity else { return false }
        let memory = UnsafeMutableRawPointer.allocate(byteCount: blockSize * blocksPerSlab, alignment: 16)
        var number = 0
        while number < slabNumbers, slabs[number] != nil { number += 1 }
        if number == slabNumbers { slabNumbers += 1 }
        precondition(number < maxSlabs, "slab numbers stay within capacity")
        slabs[number] = memory
        liveInSlab[number] = 0
        slabCount += 1
        let first = Int32(number) << slabShift
        for index in (0..<Int32(blocksPerSlab)).reversed() {
            freeBlocks[freeBlockCount] = first | index
            freeBlockCount += 1
        }
        return true
    }

    /// Keeps the fullest slabs that can hold every live block, moves the blocks living elsewhere
    /// into their free blocks, and releases every other slab. Returns how many slabs were released.
    mutating func defragment() -> Int {
        let occupied = (0..<slabNumbers).filter { slabs[$0] != nil }
        let needed = (inUse + blocksPerSlab - 1) / blocksPerSlab
        let keep = Set(occupied.sorted { liveInSlab[$0] > liveInSlab[$1] }.prefix(needed))
        var used = Set<Int32>()
        for handle in 0..<handleCount where blockOfHandle[handle] >= 0 { used.insert(blockOfHandle[handle]) }
        var room = keep.sorted().flatMap { slab in
            (0..<Int32(blocksPerSlab)).map { Int32(slab) << slabShift | $0 }.filter { !used.contains($0) }
        }
        for handle in 0..<handleCount {
            let block = blockOfHandle[handle]
            guard block >= 0, !keep.contains(Int(block >> slabShift)) else { continue }
            let target = room.removeLast()
            address(of: target).copyMemory(from: address(of: block), byteCount: blockSize)
            blockOfHandle[handle] = target
            countLive(in: target, 1)
            countLive(in: block, -1)
        }
        var released = 0
        for slab in occupied where !keep.contains(slab) {
            slabs[slab]?.deallocate()
            slabs[slab] = nil
            released += 1
        }
        slabCount -= released
        freeBlockCount = 0
        for block in room.reversed() {
            freeBlocks[freeBlockCount] = block
            freeBlockCount += 1
        }
        return released
    }

    /// `cached`: blocks in thread caches (taken from here but held by no owner); `cachedBytes`: the
    /// bytes their threads' fast paths requested and released that `bytesRequested` does not have yet.
    func stats(cached: Int = 0, cachedBytes: Int = 0) -> MemoryClassStats {
        var stats = MemoryClassStats(name: sizeClass.rawValue, blockSize: blockSize, capacity: capacity)
        let held = inUse - cached
        stats.inUse = held
        stats.highWater = highWater
        stats.overflow = overflow
        stats.slabs = slabCount
        stats.blocksPerSlab = blocksPerSlab
        stats.bytesRequested = bytesRequested + cachedBytes
        stats.bytesHeld = (held + overflowLive) * blockSize
        let carved = slabCount * blocksPerSlab
        stats.utilisation = carved == 0 ? 0 : Double(held) / Double(carved)
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
    var isHeap: Bool { raw < 0 }
    var heap: UnsafeMutableRawPointer? { raw < 0 ? UnsafeMutableRawPointer(bitPattern: ~raw) : nil }
}

/// The immutable part of a `SlabClass`: where its tables are. The fast paths read a cached handle's
/// address through it without the lock; the table entries they read belong to blocks in their own
/// thread's cache, which no other thread writes until a drain has waited for them.
struct SlabLayout: @unchecked Sendable {
    let slabs: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    let blockOfHandle: UnsafeMutablePointer<Int32>
    let slabShift: Int32
    let blockSize: Int

    /// Masking shifts (`&>>`): the shift is always in range, and Swift's checked `>>` costs a
    /// dozen instructions of range tests on every store.
    @inline(__always)
    func address(of block: Int32) -> UnsafeMutableRawPointer {
        slabs[Int(block &>> slabShift)].unsafelyUnwrapped + Int(block & ((1 &<< slabShift) &- 1)) &* blockSize
    }

    @inline(__always)
    func address(ofHandle handle: Int32) -> UnsafeMutableRawPointer {
        address(of: blockOfHandle[Int(handle)])
    }
}
