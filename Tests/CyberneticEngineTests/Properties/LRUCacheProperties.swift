@testable import CyberneticEngine
import PropertyBased
import Testing
import TestSupport

/// The LRU against the simplest model that could be right: an array from most to least recently
/// used, searched linearly. Any sequence of gets, puts and removes, with the clock moving on,
/// must give the same answers, the same recency order and the same eviction and expiry counts.
@Suite(.watchdog) struct LRUCacheProperties {
    /// What the cache should do, written as plainly as possible.
    struct Model {
        var capacity: Int
        var ttl: Double
        var entries: [(key: String, value: Int, storedAt: Double)] = []
        var evictions = 0
        var expirations = 0

        mutating func get(_ key: String, now: Double) -> Int? {
            guard let at = entries.firstIndex(where: { $0.key == key }) else { return nil }
            let entry = entries.remove(at: at)
            if now - entry.storedAt >= ttl {
                expirations += 1
                return nil
            }
            entries.insert(entry, at: 0)
            return entry.value
        }

        mutating func put(_ key: String, _ value: Int, now: Double) -> Int? {
            guard capacity > 0 else { return nil }
            if let at = entries.firstIndex(where: { $0.key == key }) {
                entries.remove(at: at)
                entries.insert((key, value, now), at: 0)
                return nil
            }
            var evicted: Int?
            if entries.count >= capacity {
                evicted = entries.removeLast().value
                evictions += 1
            }
            entries.insert((key, value, now), at: 0)
            return evicted
        }

        mutating func remove(_ key: String) -> Int? {
            guard let at = entries.firstIndex(where: { $0.key == key }) else { return nil }
            return entries.remove(at: at).value
        }
    }

    /// One step: 0 get, 1 put, 2 remove; a key out of eight; a value; how far the clock moves first.
    static let operations = zip(Gen.int(in: 0...2), Gen.int(in: 0...7), Gen.int(in: 0...999), Gen.int(in: 0...3))
        .array(of: 0...120)

    @Test func behavesLikeTheReferenceModel() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...6), Gen.int(in: 1...8), Self.operations) { capacity, ttl, steps in
            var lru = LRUCache<Int>(capacity: capacity, ttl: .seconds(ttl))
            var model = Model(capacity: capacity, ttl: Double(ttl))
            var now = 0.0
            for (kind, keyNumber, value, advance) in steps {
                now += Double(advance)
                let key = "k\(keyNumber)"
                switch kind {
                case 0: #expect(lru.get(key, now: now) == model.get(key, now: now), "get \(key) at \(now)")
                case 1: #expect(lru.put(key, value, now: now) == model.put(key, value, now: now), "put \(key) at \(now)")
                default: #expect(lru.removeValue(forKey: key) == model.remove(key), "remove \(key)")
                }
                #expect(lru.keysByRecency == model.entries.map(\.key))
                #expect(lru.count == model.entries.count)
                #expect(lru.count <= capacity)
                #expect(lru.evictions == model.evictions)
                #expect(lru.expirations == model.expirations)
            }
            #expect(lru.values.sorted() == model.entries.map(\.value).sorted())
        }
    }
}
