import Foundation

/// A least-recently-used map with a time to live: a dictionary from key to slot, and the slots
/// in an array linked by indices (most recent at the head). Get, put and evict are O(1); freed
/// slots are reused, so a full cache allocates nothing per operation.
struct LRUCache<Value>: Sendable where Value: Sendable {
    private struct Slot: Sendable {
        var key: String
        var value: Value?
        var storedAt: Double
        var previous: Int
        var next: Int
    }

    let capacity: Int
    var ttl: Double
    private var index: [String: Int] = [:]
    private var slots: [Slot] = []
    private var free: [Int] = []
    private var head = -1
    private var tail = -1
    private(set) var evictions = 0
    private(set) var expirations = 0

    init(capacity: Int, ttl: Duration) {
        self.capacity = max(0, capacity)
        self.ttl = ttl.seconds
    }

    var count: Int { index.count }

    /// Keys from most to least recently used, for tests and eviction reports.
    var keysByRecency: [String] {
        var keys: [String] = []
        var cursor = head
        while cursor >= 0 {
            keys.append(slots[cursor].key)
            cursor = slots[cursor].next
        }
        return keys
    }

    /// The value if present and younger than the TTL; a hit becomes the most recently used.
    mutating func get(_ key: String, now: Double) -> Value? {
        guard let slot = index[key] else { return nil }
        if now - slots[slot].storedAt >= ttl {
            remove(slot)
            expirations += 1
            return nil
        }
        moveToHead(slot)
        return slots[slot].value
    }

    /// Stores a value; returns the value evicted to make room, if any.
    @discardableResult
    mutating func put(_ key: String, _ value: Value, now: Double) -> Value? {
        guard capacity > 0 else { return nil }
        if let slot = index[key] {
            slots[slot].value = value
            slots[slot].storedAt = now
            moveToHead(slot)
            return nil
        }
        var evicted: Value?
        if index.count >= capacity, tail >= 0 {
            evicted = slots[tail].value
            remove(tail)
            evictions += 1
        }
        let slot: Int
        let fresh = Slot(key: key, value: value, storedAt: now, previous: -1, next: head)
        if let reused = free.popLast() {
            slot = reused
            slots[slot] = fresh
        } else {
            slot = slots.count
            slots.append(fresh)
        }
        if head >= 0 { slots[head].previous = slot }
        head = slot
        if tail < 0 { tail = slot }
        index[key] = slot
        return evicted
    }

    @discardableResult
    mutating func removeValue(forKey key: String) -> Value? {
        guard let slot = index[key] else { return nil }
        let value = slots[slot].value
        remove(slot)
        return value
    }

    /// Every stored value, for totals such as bytes held.
    var values: [Value] { index.values.compactMap { slots[$0].value } }

    private mutating func unlink(_ slot: Int) {
        let (previous, next) = (slots[slot].previous, slots[slot].next)
        if previous >= 0 { slots[previous].next = next } else { head = next }
        if next >= 0 { slots[next].previous = previous } else { tail = previous }
        slots[slot].previous = -1
        slots[slot].next = -1
    }

    private mutating func moveToHead(_ slot: Int) {
        guard slot != head else { return }
        unlink(slot)
        slots[slot].next = head
        if head >= 0 { slots[head].previous = slot }
        head = slot
        if tail < 0 { tail = slot }
    }

    private mutating func remove(_ slot: Int) {
        unlink(slot)
        index[slots[slot].key] = nil
        slots[slot].value = nil
        free.append(slot)
    }
}
