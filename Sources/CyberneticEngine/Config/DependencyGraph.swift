/// The phase graph: who waits for whom. Used to reject cycles and to order start-up.
public struct DependencyGraph: Sendable {
    public let dependencies: [String: [String]]
    public let order: [String]

    public init(_ phases: [PhaseSpec]) {
        order = phases.map(\.name)
        dependencies = Dictionary(phases.map { ($0.name, $0.dependsOn) }, uniquingKeysWith: { a, _ in a })
    }

    /// The first cycle found, as a closed path: ["a", "b", "a"]. Self-loops are reported elsewhere.
    public func firstCycle() -> [String]? {
        enum Mark { case visiting, done }
        var marks: [String: Mark] = [:]
        var stack: [String] = []

        func visit(_ node: String) -> [String]? {
            marks[node] = .visiting
            stack.append(node)
            for next in dependencies[node] ?? [] where next != node && dependencies[next] != nil {
                switch marks[next] {
                case .visiting:
                    let start = stack.firstIndex(of: next)!
                    return Array(stack[start...]) + [next]
                case .none:
                    if let cycle = visit(next) { return cycle }
                case .done:
                    break
                }
            }
            stack.removeLast()
            marks[node] = .done
            return nil
        }

        for node in order where marks[node] == nil {
            if let cycle = visit(node) { return cycle }
        }
        return nil
    }
}
