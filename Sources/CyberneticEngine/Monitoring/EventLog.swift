import Foundation

public struct EngineEvent: Sendable, Codable, Equatable {
    public enum Level: String, Sendable, Codable { case debug, info, warning, error }

    /// Increases by one per event, so a consumer can tell which events it has already seen.
    public var id: UInt64
    public var time: Date
    public var level: Level
    public var message: String
    /// Extra lines, such as the tail of a failed command's stderr. Already sanitized.
    public var detail: String?
}

/// The latest events in fixed-size rings: old events fall off, memory stays bounded. Debug events
/// (every finished run) have a ring of their own, so a flood of them can never push an error or a
/// flag change out of what front ends and reports see.
struct EventLog: Sendable {
    static let capacity = 500
    static let debugCapacity = 200
    private var notable = EventRing(capacity: capacity)
    private var debug = EventRing(capacity: debugCapacity)
    private var nextID: UInt64 = 1

    /// Both rings, oldest first.
    var events: [EngineEvent] {
        var merged: [EngineEvent] = []
        merged.reserveCapacity(notable.count + debug.count)
        var a = notable.oldestFirst.makeIterator(), b = debug.oldestFirst.makeIterator()
        var x = a.next(), y = b.next()
        while let left = x ?? y {
            if let l = x, let r = y, r.id < l.id {
                merged.append(r)
                y = b.next()
            } else if x != nil {
                merged.append(left)
                x = a.next()
            } else {
                merged.append(left)
                y = b.next()
            }
        }
        return merged
    }

    mutating func append(_ level: EngineEvent.Level, _ message: String, detail: String? = nil, at time: Date = Date()) {
        let event = EngineEvent(id: nextID, time: time, level: level, message: SafeText.line(message), detail: detail)
        nextID += 1
        if level == .debug {
            debug.append(event)
        } else {
            notable.append(event)
        }
    }
}

/// A fixed-capacity ring over an `Array`: once full, the newest event overwrites the oldest.
///
/// Not swift-collections' `Deque`: the engine copies the ledger under its lock and reads the copy
/// outside it, and ThreadSanitizer reports a race between reading a `Deque` copy and appending to
/// the original after the copy is gone, even with every access of the original under one lock
/// (reproduced in 15 lines; the same program with an `Array` is clean). A ring of an `Array` keeps
/// the sanitizer able to see real races here, and shifts nothing on an append.
private struct EventRing: Sendable {
    let capacity: Int
    private var storage: [EngineEvent] = []
    /// Where the oldest event is once the ring is full (the next slot to overwrite).
    private var start = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    var count: Int { storage.count }

    mutating func append(_ event: EngineEvent) {
        if storage.count < capacity {
            storage.append(event)
        } else {
            storage[start] = event
            start = (start + 1) % capacity
        }
    }

    var oldestFirst: [EngineEvent] {
        start == 0 ? storage : Array(storage[start...] + storage[..<start])
    }
}
