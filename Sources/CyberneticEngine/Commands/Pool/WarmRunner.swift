import Foundation
import Subprocess
import SystemPackage
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Why the pool ended a runner itself (as opposed to the runner dying on its own).
enum RunnerStopReason: Sendable, Equatable {
    /// Not needed any more (idle timeout, room for another runtime, shutdown): stdin closed.
    case retired
    case timedOut
    case cancelled
}

enum RunnerExit: Sendable, Equatable {
    case exited(Int32)
    case signaled(Int32)
    case failedToSpawn(String)
}

/// How a runner's process ended and what its job printed.
struct RunnerReport: Sendable {
    var exit: RunnerExit
    /// The interpreter booted (the bootstrap wrote its ready marker).
    var ready: Bool
    /// The bootstrap read the job and handed over to it (start marker).
    var started: Bool
    /// When the start marker arrived: the end of the job's wait for this runner.
    var startedAt: ContinuousClock.Instant? = nil
    var stop: RunnerStopReason?
    var stdout: OutputTail
    var stderr: OutputTail
}

enum RunnerEvent: Sendable {
    case spawned(pid_t)
    case ready
    case exited(RunnerReport)
}

/// One single-use warm process: an interpreter that has booted its bootstrap and waits for one
/// job on stdin. It runs in a session of its own, so ending it ends everything its job started.
///
/// stdout carries two marker bytes pairs before the job's own output: `\u{1}R` when booted,
/// `\u{1}S` when the job starts. They tell "died before its job" (retry elsewhere) from "died
/// during its job" (a failure), and time the boot.
final class WarmRunner: Sendable {
    let serial: Int
    let key: RuntimeKey
    private let jobs: AsyncStream<[UInt8]>
    private let jobInput: AsyncStream<[UInt8]>.Continuation
    private let state: Mutex<State>

    private static let markers: [UInt8] = [0x01, 0x52, 0x01, 0x53]
    /// Output kept from a runner before it has a job (boot warnings), until a job sets its own limit.
    private static let bootOutputLimit = 16 * 1024

    private struct State {
        var pid: pid_t?
        var markersSeen = 0
        var ready = false
        var started = false
        var startedAt: ContinuousClock.Instant?
        var stdout = OutputTail(limit: WarmRunner.bootOutputLimit)
        var stderr = OutputTail(limit: WarmRunner.bootOutputLimit)
        var passThrough = false
        var grace: Duration = .seconds(2)
        var stop: RunnerStopReason?
        var killWhenSpawned = false
        var report: RunnerReport?
        var waiters: [CheckedContinuation<RunnerReport, Never>] = []
    }

    init(serial: Int, key: RuntimeKey) {
        self.serial = serial
        self.key = key
        (jobs, jobInput) = AsyncStream.makeStream(of: [UInt8].self, bufferingPolicy: .bufferingNewest(1))
        state = Mutex(State())
    }

    var processIdentifier: pid_t? { state.withLock { $0.pid } }
    var hasStarted: Bool { state.withLock { $0.started } }

    // MARK: lifecycle

    /// Spawns the process and watches it until it exits; `onEvent` hears of spawn, boot and exit
    /// (exit before any awaiting `report()` returns).
    func launch(arguments: [String], environment: Environment, onEvent: @escaping @Sendable (RunnerEvent) -> Void) {
        Task.detached { [self] in
            let report = await self.body(arguments: arguments, environment: environment, onEvent: onEvent)
            onEvent(.exited(report))
            let waiters = self.state.withLock { state in
                state.report = report
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume(returning: report) }
        }
    }

    private func body(arguments: [String], environment: Environment,
                      onEvent: @escaping @Sendable (RunnerEvent) -> Void) async -> RunnerReport {
        var options = PlatformOptions()
        options.createSession = true
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: .seconds(1))]
        var leader: pid_t = 0
        let exit: RunnerExit
        do {
            let result = try await Subprocess.run(
                .path(FilePath(key.interpreter)),
                arguments: Arguments(arguments),
                environment: environment,
                workingDirectory: nil,
                platformOptions: options,
                input: .inputWriter,
                output: .sequence,
                error: .sequence
            ) { execution in
                let pid = execution.processIdentifier.value
                leader = pid
                let killNow = state.withLock { state in
                    state.pid = pid
                    return state.killWhenSpawned
                }
                onEvent(.spawned(pid))
                if killNow { killpg(pid, SIGKILL) }
                let writer = execution.standardInputWriter
                await withTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { [self] in
                        var delivered = false
                        for await job in jobs {
                            _ = try? await writer.write(job)
                            delivered = true
                            break
                        }
                        try? await writer.finish()
                        // A job that leaves a background child holding stdout open must not keep
                        // the runner "running" after the job itself has ended.
                        if delivered {
                            await ProcessGroup(id: pid).reapLeftoversAfterLeaderExits(grace: grace)
                        }
                    }
                    async let errors: Void = drain(execution.standardError, stdout: false, onEvent: onEvent)
                    await drain(execution.standardOutput, stdout: true, onEvent: onEvent)
                    await errors
                    tasks.cancelAll()
                }
            }
            switch result.terminationStatus {
            case .exited(let code): exit = .exited(code)
            case .signaled(let signal): exit = .signaled(signal)
            }
        } catch {
            exit = .failedToSpawn("cannot start \(key.interpreter): \(error)")
        }
        // The leader is gone; what its job left behind in the group goes too.
        if leader > 0 { await ProcessGroup(id: leader).terminate(grace: grace) }
        return state.withLock { state in
            RunnerReport(exit: exit, ready: state.ready, started: state.started, startedAt: state.startedAt,
                         stop: state.stop, stdout: state.stdout, stderr: state.stderr)
        }
    }

    private var grace: Duration { state.withLock { $0.grace } }

    private func drain(_ sequence: SubprocessOutputSequence, stdout: Bool,
                       onEvent: @Sendable (RunnerEvent) -> Void) async {
        do {
            for try await buffer in sequence {
                buffer.withUnsafeBytes { raw in
                    var bytes = raw[...]
                    var becameReady = false
                    let passThrough: Bool = state.withLock { state in
                        if stdout {
                            while state.markersSeen < Self.markers.count, let byte = bytes.first {
                                guard byte == Self.markers[state.markersSeen] else {
                                    // Not the protocol: treat everything as the job's output, and the
                                    // job as started (it must not run a second time).
                                    state.markersSeen = Self.markers.count
                                    state.ready = true
                                    state.started = true
                                    state.startedAt = ContinuousClock.now
                                    break
                                }
                                bytes = bytes.dropFirst()
                                state.markersSeen += 1
                                if state.markersSeen == 2 { state.ready = true; becameReady = true }
                                if state.markersSeen == 4 { state.started = true; state.startedAt = ContinuousClock.now }
                            }
                            state.stdout.append(bytes)
                        } else {
                            state.stderr.append(bytes)
                        }
                        return state.passThrough
                    }
                    if becameReady { onEvent(.ready) }
                    if passThrough, !bytes.isEmpty {
                        Self.writeAll(stdout ? 1 : 2, UnsafeRawBufferPointer(rebasing: bytes))
                    }
                }
            }
        } catch {
            // The stream ends with the process; an error here means the same.
        }
    }

    private static func writeAll(_ fd: Int32, _ raw: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < raw.count {
            let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }

    // MARK: the job

    /// Hands the job to the bootstrap (buffered in the pipe if it is still booting) and closes stdin.
    func assign(_ payload: [UInt8], outputLimit: Int, passThrough: Bool, grace: Duration, memoryPool: MemoryPool? = nil) {
        state.withLock { state in
            var stdout = OutputTail(limit: outputLimit, pool: memoryPool)
            stdout.append(state.stdout.bytes)
            var stderr = OutputTail(limit: outputLimit, pool: memoryPool)
            stderr.append(state.stderr.bytes)
            state.stdout = stdout
            state.stderr = stderr
            state.passThrough = passThrough
            state.grace = grace
        }
        jobInput.yield(payload)
        jobInput.finish()
    }

    /// Waits for the process to exit.
    func report() async -> RunnerReport {
        await withCheckedContinuation { continuation in
            let done: RunnerReport? = state.withLock { state in
                if let report = state.report { return report }
                state.waiters.append(continuation)
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    // MARK: ending it

    /// Not needed: close stdin so the bootstrap leaves by itself; end the group if it lingers.
    func retire() {
        let pid: pid_t? = state.withLock { state in
            if state.stop == nil { state.stop = .retired }
            return state.pid
        }
        jobInput.finish()
        Task.detached { [self] in
            try? await Task.sleep(for: .milliseconds(500))
            guard let pid = pid ?? processIdentifier, state.withLock({ $0.report == nil }) else { return }
            await ProcessGroup(id: pid).terminate(grace: .seconds(1))
        }
    }

    /// Ends the runner and everything its job started: SIGTERM to the group, `grace`, SIGKILL.
    func terminate(_ reason: RunnerStopReason, grace: Duration) async {
        let pid: pid_t? = state.withLock { state in
            if state.stop == nil { state.stop = reason }
            if state.pid == nil { state.killWhenSpawned = true }
            return state.pid
        }
        jobInput.finish()
        guard let pid else { return }
        await ProcessGroup(id: pid).terminate(grace: grace)
    }
}
