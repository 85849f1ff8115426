/// What a front end can ask of the engine. `Codable`, so a remote front end can send it over a socket.
public enum Control: Sendable, Codable, Equatable {
    case setFlag(String, Bool)
    case rollback
    case pauseIntake
    case resumeIntake
    case startABTest(String)
    case submit(TaskSpec)
    /// Sets the concurrency limit now (`scale(to:)`); an adaptive limit carries on from there.
    case setConcurrency(Int)
    /// Packs pooled memory into as few slabs as possible and frees the rest.
    case defragmentMemory
}

public enum EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownFlag(String)
    case unavailable(String)

    public var description: String {
        switch self {
        case .unknownFlag(let name):
            "unknown flag '\(name)'" + Suggestions.hint(for: name, in: FeatureFlag.allCases.map(\.rawValue))
        case .unavailable(let reason):
            reason
        }
    }
}
