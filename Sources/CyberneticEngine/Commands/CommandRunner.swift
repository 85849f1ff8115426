import Foundation
import Subprocess
import SystemPackage
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What to run and under which limits.
public struct CommandRequest: Sendable {
    public var argv: [String]
    public var workingDirectory: String?
    /// Variables added to (or, with a nil value, removed from) the inherited environment.
    public var environment: [String: String?]
    public var timeout: Duration
    /// Time between SIGTERM and SIGKILL when the command must be stopped.
    public var gracePeriod: Duration
    /// Bytes kept from the end of each of stdout and stderr.
    public var outputLimit: Int
    /// When set, output is also passed through to this process's stdout / stderr as it arrives.
    public var passThrough: Bool
    /// Where captured output is held; nil keeps it in plain arrays.
    public var memoryPool: MemoryPool?

    public init(argv: [String], workingDirectory: String? = nil, environment: [String: String?] = [:],
                timeout: Duration = .seconds(30), gracePeriod: Duration = .seconds(2),
                outputLimit: Int = 64 * 1024, passThrough: Bool = false, memoryPool: MemoryPool? = nil) {
        self.argv = argv
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.timeout = timeout
        self.gracePeriod = gracePeriod
        self.outputLimit = outputLimit
        self.passThrough = passThrough
        self.memoryPool = memoryPool
    }
}

public enum CommandOutcome: Sendable, Equatable {
    case exited(Int32)
    case signaled(Int32)
    case timedOut
    case cancelled
    case failedToStart(String)

    public var succeeded: Bool { self == .exited(0) }

    /// The exit code a shell would report: 128+N for a signal, 124 for a timeout (as `timeout(1)`),
    /// 127 when the command could not start.
    public var shellExitCode: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        case .timedOut: 124
        case .cancelled: 130
        case .failedToStart: 127
        }
    }

    public var summary: String {
        switch self {
        case .exited(let code): "exit \(code)"
        case .signaled(let signal): "killed by signal \(signal)\(Self.signalName(signal).map { " (\($0))" } ?? "")"
        case .timedOut: "timed out"
        case .cancelled: "cancelled"
        case .failedToStart(let reason): reason
        }
    }

    static func signalName(_ signal: Int32) -> String? {
        [1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 6: "SIGABRT", 8: "SIGFPE", 9: "SIGKILL",
         11: "SIGSEGV", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM"][signal]
    }
}

public struct CommandResult: Sendable {
    public var outcome: CommandOutcome
    public var stdout: OutputTail
    public var stderr: OutputTail
    public var duration: Duration
}

/// Runs one command as a real process in a session of its own, so that on timeout or
/// cancellation the whole process group gets SIGTERM, a grace period, then SIGKILL.
public enum CommandRunner {
    public static func run(_ request: CommandRequest) async -> CommandResult {
        let clock = ContinuousClock()
        let started = clock.now
        guard let program = request.argv.first, !program.isEmpty else {
            return CommandResult(outcome: .failedToStart("empty command"), stdout: OutputTail(limit: 0),
                                 stderr: OutputTail(limit: 0), duration: .zero)
        }
        if let directory = request.workingDirectory, !FileManager.default.fileExists(atPath: directory) {
            return CommandResult(outcome: .failedToStart("working directory does not exist: \(directory)"),
                                 stdout: OutputTail(limit: 0), stderr: OutputTail(limit: 0), duration: .zero)
        }

        guard let resolved = ExecutableLookup.cached(program) else {
            return CommandResult(outcome: .failedToStart("command not found: \(program)"), stdout: OutputTail(limit: 0),
                                 stderr: OutputTail(limit: 0), duration: clock.now - started)
        }
        let executable = Executable.path(FilePath(resolved))
        let options = sessionOptions(gracePeriod: request.gracePeriod)
        let environment = Environment.inherit.updating(Dictionary(uniqueKeysWithValues: request.environment.map {
            (Environment.Key(stringLiteral: $0.key), $0.value)
        }))

        let capture = Capture(limit: request.outputLimit, passThrough: request.passThrough, pool: request.memoryPool)
        let outcome: CommandOutcome = await withTaskGroup(of: CommandOutcome?.self) { group in
            group.addTask {
                do {
                    let result = try await Subprocess.run(
                        executable,
                        arguments: Arguments(Array(request.argv.dropFirst())),
                        environment: environment,
                        workingDirectory: request.workingDirectory.map { FilePath($0) },
                        platformOptions: options,
                        input: .none,
                        output: .sequence,
                        error: .sequence
                    ) { execution in
                        let group = ProcessGroup(id: execution.processIdentifier.value)
                        capture.setGroup(group)
                        try await withThrowingTaskGroup(of: Void.self) { tasks in
                            tasks.addTask { await group.reapLeftoversAfterLeaderExits(grace: request.gracePeriod) }
                            async let err: Void = capture.drain(execution.standardError, fd: 2)
                            try await capture.drain(execution.standardOutput, fd: 1)
                            try await err
                            tasks.cancelAll()
                        }
                    }
                    switch result.terminationStatus {
                    case .exited(let code): return .exited(code)
                    case .signaled(let signal): return .signaled(signal)
                    }
                } catch let error as SubprocessError {
                    if Task.isCancelled { return nil }
                    return .failedToStart(describe(error, program: program))
                } catch {
                    if Task.isCancelled { return nil }
                    return .failedToStart("\(program): \(error)")
                }
            }
            group.addTask {
                try? await Task.sleep(for: request.timeout)
                return Task.isCancelled ? nil : .timedOut
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            // Wait for the teardown (SIGTERM, grace, SIGKILL) to finish before reporting.
            while await group.next() != nil {}
            if let first { return first }
            return .cancelled
        }
        // The leader is gone; members that ignored SIGTERM or ran in the background are not.
        if let group = capture.group { await group.terminate(grace: request.gracePeriod) }
        return CommandResult(outcome: outcome, stdout: capture.stdout, stderr: capture.stderr,
                             duration: clock.now - started)
    }

    /// A new session (and so a new process group) per command, torn down as a group.
    static func sessionOptions(gracePeriod: Duration) -> PlatformOptions {
        var options = PlatformOptions()
        options.createSession = true
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: gracePeriod)]
        return options
    }

    static func describe(_ error: SubprocessError, program: String) -> String {
        switch error.code {
        case .executableNotFound: "command not found: \(program)"
        case .failedToChangeWorkingDirectory: "cannot change to the working directory for \(program)"
        case .spawnFailed:
            if let errno = error.underlyingError {
                "cannot start \(program): \(errno)"
            } else {
                "cannot start \(program)"
            }
        default: "\(program): \(error)"
        }
    }
}

/// Output collected while a command runs; shared by the stdout and stderr drain loops.
private final class Capture: Sendable {
    private let tails: Mutex<(stdout: OutputTail, stderr: OutputTail)>
    private let processGroup = Mutex<ProcessGroup?>(nil)
    let passThrough: Bool

    init(limit: Int, passThrough: Bool, pool: MemoryPool?) {
        tails = Mutex((OutputTail(limit: limit, pool: pool), OutputTail(limit: limit, pool: pool)))
        self.passThrough = passThrough
    }

    var group: ProcessGroup? { processGroup.withLock { $0 } }
    func setGroup(_ group: ProcessGroup) { processGroup.withLock { $0 = group } }

    var stdout: OutputTail { tails.withLock { $0.stdout } }
    var stderr: OutputTail { tails.withLock { $0.stderr } }

    /// Reads one stream to its end. `fd` 1 is stdout, 2 is stderr.
    func drain(_ sequence: SubprocessOutputSequence, fd: Int32) async throws {
        for try await buffer in sequence {
            buffer.withUnsafeBytes { raw in
                if passThrough { FileDescriptorIO.writeAll(fd, raw) }
                tails.withLock {
                    if fd == 1 { $0.stdout.append(raw) } else { $0.stderr.append(raw) }
                }
            }
        }
    }
}
