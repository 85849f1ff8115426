import Collections
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

/// The latest events in a fixed-size ring: old events fall off, memory stays bounded.
struct EventLog: Sendable {
    static let capacity = 500
    private(set) var events: Deque<EngineEvent> = []
    private var nextID: UInt64 = 1

    mutating func append(_ level: EngineEvent.Level, _ message: String, detail: String? = nil, at time: Date = Date()) {
        events.append(EngineEvent(id: nextID, time: time, level: level, message: SafeText.line(message),
                                  detail: detail))
        nextID += 1
        if events.count > Self.capacity { events.removeFirst() }
    }
}
