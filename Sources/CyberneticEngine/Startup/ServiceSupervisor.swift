import Foundation
import Synchronization

/// Long-running phase processes (`service = true`): started during start-up, restarted when they
/// die (at most `maxRestarts` within `window`, as an OTP supervisor's restart intensity), and
/// stopped in the reverse order of their start at shutdown or rollback, each as a whole process
/// group (SIGTERM, grace, SIGKILL).
final class ServiceSupervisor: Sendable {
    struct Running: Sendable {
        var name: String
        var task: Task<Void, Never>
    }

    private let running = Mutex<[Running]>([])
    private let exits = Mutex<[String: Int]>([:])
    let maxRestarts = 3
    let window: Duration = .seconds(60)

    /// Starts `spec`'s command and keeps it running until `stop`. `onExit` hears about every exit.
    func start(_ spec: PhaseSpec, onExit: @escaping @Sendable (_ outcome: CommandOutcome, _ willRestart: Bool) -> Void) {
        let task = Task {
            var restarts: [ContinuousClock.Instant] = []
            while !Task.isCancelled {
                let result = await CommandRunner.run(CommandRequest(argv: spec.run.argv, timeout: .seconds(10 * 365 * 86_400)))
                if Task.isCancelled { return }
                exits.withLock { $0[spec.name, default: 0] += 1 }
                let now = ContinuousClock.now
                restarts = restarts.filter { now - $0 < window } + [now]
                let again = restarts.count <= maxRestarts
                onExit(result.outcome, again)
                if !again { return }
                try? await Task.sleep(for: .milliseconds(200 * restarts.count))
            }
        }
        running.withLock { $0.append(Running(name: spec.name, task: task)) }
    }

    func exitCount(_ name: String) -> Int { exits.withLock { $0[name] ?? 0 } }

    var names: [String] { running.withLock { $0.map(\.name) } }

    /// Stops one service (for rollback).
    func stop(_ name: String) async {
        let found = running.withLock { list -> Running? in
            guard let index = list.firstIndex(where: { $0.name == name }) else { return nil }
            return list.remove(at: index)
        }
        guard let found else { return }
        found.task.cancel()
        await found.task.value
    }

    /// Stops every service, last started first. Returns the names in the order stopped.
    @discardableResult
    func stopAll() async -> [String] {
        var stopped: [String] = []
        while let last = running.withLock({ $0.popLast() }) {
            last.task.cancel()
            await last.task.value
            stopped.append(last.name)
        }
        return stopped
    }
}
