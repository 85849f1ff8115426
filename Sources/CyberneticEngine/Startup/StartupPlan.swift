/// The whole start-up graph: Cybernetic's own phases first (`engine:core`, then the disk cache,
/// networking and the process pool warm-up side by side), then the workload's phases. A workload phase
/// that depends on nothing waits for the engine's phases, so user commands only start once the
/// engine they run in is ready.
struct StartupPlan: Sendable {
    enum BuiltIn: String, Sendable, CaseIterable {
        case core = "engine:core"
        case database = "engine:database"
        case networking = "engine:networking"
        case pool = "engine:pool"
    }

    struct Phase: Sendable {
        var name: String
        var dependsOn: [String]
        var builtIn: BuiltIn?
        var spec: PhaseSpec?
    }

    let phases: [Phase]

    init(configuration: Configuration) {
        let engine: [Phase] = [
            Phase(name: BuiltIn.core.rawValue, dependsOn: [], builtIn: .core),
            Phase(name: BuiltIn.database.rawValue, dependsOn: [BuiltIn.core.rawValue], builtIn: .database),
            Phase(name: BuiltIn.networking.rawValue, dependsOn: [BuiltIn.core.rawValue], builtIn: .networking),
            Phase(name: BuiltIn.pool.rawValue, dependsOn: [BuiltIn.core.rawValue], builtIn: .pool),
        ]
        let engineLeaves = [BuiltIn.database.rawValue, BuiltIn.networking.rawValue, BuiltIn.pool.rawValue]
        phases = engine + configuration.phases.map { spec in
            Phase(name: spec.name, dependsOn: spec.dependsOn.isEmpty ? engineLeaves : spec.dependsOn, spec: spec)
        }
    }
}
