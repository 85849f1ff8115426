import Foundation
import Synchronization

/// Long-running phase processes (`service = true`): started during start-up, restarted when they
/// die under a `RestartPolicy` (exponential backoff between restarts; past the restart intensity,
/// as in an OTP supervisor, it gives up), and stopped in the reverse order of their start at
/// shutdown or rollback, each as a whole process group (SIGTERM, grace, SIGKILL). Every restart
/// and the giving up are healing actions, collected with `drainHealingActions()`.
final class ServiceSupervisor: Sendable {
    struct Running: Sendable {
        var name: String
        var task: Task<Void, Never>
    }

    private let running = Mutex<[Running]>([])
    private let exits = Mutex<[String: Int]>([:])
    private let healing = Mutex(PendingHealing())
    let policy: RestartPolicy

    init(policy: RestartPolicy = RestartPolicy()) {
        self.policy = policy
    }

    /// Starts `spec`'s command and keeps it running until `stop`. `onExit` hears about every exit.
    func start(_ spec: PhaseSpec, onExit: @escaping @Sendable (_ outcome: CommandOutcome, _ willRestart: Bool) -> Void) {
        let policy = policy
        let task = Task {
            var tracker = RestartTracker(policy: policy)
            let subject = "service \(spec.name)"
            while !Task.isCancelled {
                let result = await CommandRunner.run(CommandRequest(argv: spec.run.argv, timeout: .seconds(10 * 365 * 86_400)))
                if Task.isCancelled { return }
                exits.withLock { $0[spec.name, default: 0] += 1 }
                switch tracker.crashed(at: .now) {
                case .restart(let delay, let count):
                    record(HealingAction(subject: subject, action: "backoff \(DurationText.format(delay))",
                                         reason: "exited (\(result.outcome.summary)); restart \(count) of \(policy.maxRestarts) allowed in "
                                             + DurationText.format(policy.period)))
                    onExit(result.outcome, true)
                    try? await Task.sleep(for: delay)
                case .exceeded(let count):
                    record(HealingAction(subject: subject, action: "gave up",
                                         reason: "\(count) exits in \(DurationText.format(policy.period)) exceed the restart "
                                             + "intensity (\(policy.intensityText)); last: \(result.outcome.summary)",
                                         level: .error))
                    onExit(result.outcome, false)
                    return
                }
            }
        }
        running.withLock { $0.append(Running(name: spec.name, task: task)) }
    }

    private func record(_ action: HealingAction) {
        healing.withLock { $0.append(action) }
    }

    /// What the supervisor did since the last call, oldest first.
    func drainHealingActions() -> [HealingAction] {
        healing.withLock { $0.drain() }
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
