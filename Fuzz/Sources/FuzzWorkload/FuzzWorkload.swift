import CyberneticEngine

/// One fuzz input: a workload file. Parsing must end in a configuration or a clear error, never a
/// crash, a hang or an error without a message; a configuration it accepts must hold the
/// invariants the engine relies on without re-checking them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWorkload(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let text = String(validating: UnsafeBufferPointer(start: data, count: size), as: UTF8.self) else { return 0 }
    do {
        let configuration = try ConfigurationLoader.parse(text, source: "fuzz")
        check(configuration)
    } catch {
        precondition(!error.description.isEmpty, "an error without a message")
    }
    return 0
}

private func check(_ c: Configuration) {
    precondition(c.queue.maxConcurrency >= 1 && c.queue.minConcurrency >= 1, "concurrency below 1")
    precondition(c.queue.minConcurrency <= c.queue.maxConcurrency, "min concurrency above max")
    precondition(c.queue.maxSize >= 1, "queue size below 1")
    precondition(c.processPool.min >= 0 && c.processPool.min <= c.processPool.max, "pool min above max")
    let phases = Set(c.phases.map(\.name))
    precondition(phases.count == c.phases.count, "duplicate phase names accepted")
    for phase in c.phases {
        precondition(!phase.run.argv.isEmpty && !phase.run.argv[0].isEmpty, "empty phase command accepted")
        precondition(phase.dependsOn.allSatisfy(phases.contains), "unknown dependency accepted")
    }
    for task in c.tasks {
        precondition(!task.run.argv.isEmpty && !task.run.argv[0].isEmpty, "empty task command accepted")
        precondition(task.count.map { $0 >= 1 } ?? (task.every != nil), "a task that never runs or never ends")
        _ = TaskSpec.self
    }
    // A cycle must have been rejected: every phase is reachable by a topological walk.
    var done = Set<String>()
    var progress = true
    while progress {
        progress = false
        for phase in c.phases where !done.contains(phase.name) && phase.dependsOn.allSatisfy(done.contains) {
            done.insert(phase.name)
            progress = true
        }
    }
    precondition(done.count == c.phases.count, "a dependency cycle was accepted")
}
