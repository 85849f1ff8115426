@testable import CyberneticEngine
import Foundation
import PropertyBased
import Testing
import TestSupport

/// Random phase graphs: an acyclic one boots in an order that respects every `depends_on` (in the
/// order the phases really ran and in their recorded times); one with a cycle is always rejected,
/// and the cycle named is a real one of the graph.
@Suite(.watchdog) struct PhaseGraphProperties {
    /// Phase i depends on the phases whose bit is set in its mask and that come before it in a
    /// random ranking, so the graph is acyclic whatever the input, and declaration order is not a
    /// topological order.
    static func dag(_ nodes: [(mask: Int, rank: Int)]) -> [[Int]] {
        func before(_ a: Int, _ b: Int) -> Bool { (nodes[a].rank, a) < (nodes[b].rank, b) }
        return nodes.indices.map { i in nodes.indices.filter { j in j != i && nodes[i].mask & (1 << j) != 0 && before(j, i) } }
    }

    static func toml(_ dependencies: [[Int]], run: (Int) -> String) -> String {
        dependencies.indices.map { i in
            "[[phase]]\nname = \"p\(i)\"\nrun = \(run(i))\n"
                + (dependencies[i].isEmpty ? "" : "depends_on = [\(dependencies[i].map { "\"p\($0)\"" }.joined(separator: ", "))]\n")
        }.joined()
    }

    static let graphs = zip(Gen.int(in: 0...255), Gen.int(in: 0...1000)).array(of: 1...8)

    @Test func acyclicGraphsBootInDependencyOrder() async throws {
        let directory = try temporaryDirectory()
        await propertyCheck(count: 12, input: Self.graphs) { nodes in
            let dependencies = Self.dag(nodes)
            let log = directory.appendingPathComponent(UUID().uuidString).path
            let text = Self.toml(dependencies) { "\"echo p\($0) >> \(log)\"" }
            var config = try Workload.parse(text)
            config.flags[.processPool] = false
            let snapshot = try await Engine(configuration: config).runUntilIdle()
            let ran = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(ran.sorted() == dependencies.indices.map { "p\($0)" }.sorted(), "every phase ran once")
            let position = Dictionary(uniqueKeysWithValues: ran.enumerated().map { ($1, $0) })
            let phases = Dictionary(uniqueKeysWithValues: snapshot.startup.phases.map { ($0.name, $0) })
            for (i, needs) in dependencies.enumerated() {
                let name = "p\(i)"
                #expect(phases[name]?.state == .succeeded)
                for dependency in needs.map({ "p\($0)" }) {
                    #expect(position[dependency]! < position[name]!, "\(name) ran before its dependency \(dependency)")
                    #expect(phases[name]!.startMs! >= phases[dependency]!.endMs!, "\(name) started before \(dependency) ended")
                }
            }
        }
    }

    @Test func theSchedulerStartsEachPhaseOnceAndOnlyAfterItsDependencies() async {
        // Phases finish in a random order among those running; the scheduler must start every
        // phase exactly once, each only once all of its dependencies have finished.
        await propertyCheck(count: 300, input: Self.graphs, Gen.int(in: 0...1000).array(of: 0...20)) { nodes, picks in
            let dependencies = Self.dag(nodes)
            var scheduler = PhaseScheduler(dependencies: dependencies.map { $0.map { "p\($0)" } },
                                           names: dependencies.indices.map { "p\($0)" })
            var running = scheduler.initial
            var started = Set(running)
            var finished = Set<Int>()
            var step = 0
            while !running.isEmpty {
                let done = running.remove(at: (picks.isEmpty ? 0 : picks[step % picks.count]) % running.count)
                step += 1
                finished.insert(done)
                for next in scheduler.finished(done) {
                    #expect(!started.contains(next), "p\(next) started twice")
                    #expect(dependencies[next].allSatisfy(finished.contains), "p\(next) started before its dependencies finished")
                    started.insert(next)
                    running.append(next)
                }
            }
            #expect(finished.count == dependencies.count, "every phase ran")
        }
    }

    @Test func acyclicGraphsAreAccepted() async {
        await propertyCheck(count: 200, input: Self.graphs) { nodes in
            let text = Self.toml(Self.dag(nodes)) { _ in "\"true\"" }
            #expect(throws: Never.self) { try Workload.parse(text) }
        }
    }

    @Test func everyCycleIsFoundAndTheOneNamedIsReal() async {
        // A random DAG, then a planted cycle through some of its phases (two or more).
        await propertyCheck(count: 300, input: Self.graphs, Gen.int(in: 0...1000).array(of: 2...8)) { nodes, picks in
            var dependencies = Self.dag(nodes + [(0, 0), (0, 0)])
            var cycle: [Int] = []
            for pick in picks where !cycle.contains(pick % dependencies.count) { cycle.append(pick % dependencies.count) }
            guard cycle.count >= 2 else { return }
            for (at, node) in cycle.enumerated() {
                let next = cycle[(at + 1) % cycle.count]
                if !dependencies[node].contains(next) { dependencies[node].append(next) }
            }
            let text = Self.toml(dependencies) { _ in "\"true\"" }
            let error = #expect(throws: ConfigurationError.self) { try Workload.parse(text) }
            let named = error?.issues.first { $0.message.hasPrefix("dependency cycle: ") }
            #expect(named != nil, "the cycle is reported: \(error.map { "\($0)" } ?? "")")
            guard let named else { return }
            let path = named.message.dropFirst("dependency cycle: ".count).components(separatedBy: " -> ")
            #expect(path.count >= 3 && path.first == path.last, "a closed path: \(named.message)")
            for (from, to) in zip(path, path.dropFirst()) {
                let a = Int(from.dropFirst())!, b = Int(to.dropFirst())!
                #expect(dependencies[a].contains(b), "\(from) -> \(to) is not an edge of the graph")
            }
            #expect(named.key == "phase \"\(path[0])\".depends_on")
        }
    }
}
