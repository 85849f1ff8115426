/// Which start-up phases may start now: Kahn's algorithm, run as phases finish. Each phase counts
/// the dependencies it still waits on; a finish decrements its dependents' counts, and those that
/// reach zero are ready. A finish costs O(its dependents), not a scan of the whole plan.
///
/// A dependency that names no phase is never satisfied, so its dependent never becomes ready
/// (configuration checks reject such names before a plan is built).
struct PhaseScheduler: Sendable {
    private var waitingOn: [Int]
    private var dependents: [[Int]]

    init(dependencies: [[String]], names: [String]) {
        let index = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        waitingOn = dependencies.map(\.count)
        dependents = names.map { _ in [] }
        for (phase, needs) in dependencies.enumerated() {
            for name in needs {
                if let dependency = index[name] { dependents[dependency].append(phase) }
            }
        }
    }

    init(_ plan: StartupPlan) {
        self.init(dependencies: plan.phases.map(\.dependsOn), names: plan.phases.map(\.name))
    }

    /// The phases that depend on nothing, in plan order.
    var initial: [Int] { waitingOn.indices.filter { waitingOn[$0] == 0 } }

    /// Records that `phase` is up; returns the phases that were waiting only for it.
    mutating func finished(_ phase: Int) -> [Int] {
        var ready: [Int] = []
        for dependent in dependents[phase] {
            waitingOn[dependent] -= 1
            if waitingOn[dependent] == 0 { ready.append(dependent) }
        }
        return ready
    }
}
