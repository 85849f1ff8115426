import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process for tests, started as a shell would start it: no blocked signals, the usual
/// signals at their defaults, standard streams on files (never the test run's own pipes).
///
/// Foundation's `Process` hands the spawning thread's signal mask to the child, and the threads
/// tests run on block SIGTERM, SIGCHLD and most others. A helper started that way ignores
/// `terminate()`; a tmux server started that way never sees its panes exit and outlives the run.
/// A leftover that inherited the run's stdout keeps `swift test` waiting for end-of-file long
/// after the last test: one did, and CI timed out.
public final class Spawned: @unchecked Sendable {
    public let pid: pid_t
    public let argv: [String]
    private let lock = NSLock()
    private var status: Int32?

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// - Parameters:
    ///   - stdout: a file the child writes to (created or truncated); `/dev/null` by default.
    ///   - stderr: another file, or nil for the same file as stdout.
    ///   - stdin: a file the child reads, `/dev/null` by default.
    public init(_ argv: [String], directory: String? = nil, environment: [String: String]? = nil,
                stdin: String = "/dev/null", stdout: String = "/dev/null", stderr: String? = nil) throws {
        precondition(!argv.isEmpty)
        self.argv = argv
        Watchdog.start()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        if let stderr {
            posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        // Nothing else of the test process's: a pipe of a warm runner held open by a helper hides
        // the runner's exit from the pool under test.
        guard let closeFrom = Self.addCloseFrom else { throw Failure(description: "this libc cannot close descriptors on spawn") }
        _ = closeFrom(&actions, 3)
        if let directory {
            guard let addChdir = Self.addChdir else { throw Failure(description: "this libc cannot spawn in a directory") }
            _ = addChdir(&actions, directory)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), defaults = sigset_t()
        sigemptyset(&none)
        sigemptyset(&defaults)
        for signal in [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM, SIGTSTP] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let env = environment.map { ProcessInfo.processInfo.environment.merging($0) { _, new in new } }
            ?? ProcessInfo.processInfo.environment
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        let args = argv.map { strdup($0) } + [nil]
        defer { for pointer in args + envp { free(pointer) } }
        var pid: pid_t = 0
        let code = posix_spawnp(&pid, argv[0], &actions, &attributes, args, envp)
        guard code == 0 else {
            throw Failure(description: "cannot start \(argv[0]): \(String(cString: strerror(code)))")
        }
        self.pid = pid
    }

    /// glibc has had these since 2.29 and 2.34, but its header hides them from Swift.
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private static let addChdir: AddChdir? = dlsym(nil, "posix_spawn_file_actions_addchdir_np")
        .map { unsafeBitCast($0, to: AddChdir.self) }
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: AddCloseFrom.self) }

    /// The raw wait status once the child has been reaped.
    public var exitStatus: Int32? { lock.withLock { status } }

    /// Reaps the child if it has exited; never blocks.
    @discardableResult
    public func poll() -> Int32? {
        lock.withLock {
            if status == nil {
                var raw: Int32 = 0
                let reaped = waitpid(pid, &raw, WNOHANG)
                if reaped == pid { status = raw }
            }
            return status
        }
    }

    public var isRunning: Bool { poll() == nil }

    /// Waits for the child to exit, blocking the calling thread: for threads of their own (the
    /// watchdog's) and the moment `tmux kill-server` takes in a `defer`. Tests wait with
    /// `exit(timeout:)`, which does not hold a concurrency thread (see `Poll`).
    /// After `timeout` (stretched by `Sanitized.timeScale`) the child is killed and the wait fails,
    /// naming the command: a hung child is a failed test, never a hung run.
    @discardableResult
    public func wait(timeout: Duration = .seconds(300)) throws -> Int32 {
        let timeout = Sanitized.scaled(timeout)
        let deadline = ContinuousClock.now + timeout
        var pause: UInt32 = 1_000
        while ContinuousClock.now < deadline {
            if let status = poll() { return status }
            usleep(pause)
            pause = min(pause * 2, 50_000)
        }
        kill(SIGKILL)
        throw Failure(description: "\(argv.joined(separator: " ")) still running after \(timeout); killed")
    }

    /// Waits for the child to exit without holding a concurrency thread (see `Poll`). After
    /// `timeout` (stretched by `Sanitized.timeScale`) the child is killed and the wait fails.
    @discardableResult
    public func exit(timeout: Duration = .seconds(300)) async throws -> Int32 {
        if await Poll.until(timeout, every: .milliseconds(5), { poll() != nil }), let status = exitStatus { return status }
        kill(SIGKILL)
        throw Failure(description: "\(argv.joined(separator: " ")) still running after \(Sanitized.scaled(timeout)); killed")
    }

    /// Sends `signal`; with SIGKILL also reaps, so nothing is left behind.
    public func kill(_ signal: Int32 = SIGKILL) {
        guard exitStatus == nil else { return }
        _ = Glibc.kill(pid, signal)
        if signal == SIGKILL {
            lock.withLock {
                var raw: Int32 = 0
                while status == nil {
                    let reaped = waitpid(pid, &raw, 0)
                    if reaped == pid { status = raw } else if errno != EINTR { break }
                }
            }
        }
    }

    deinit {
        kill(SIGKILL)
    }
}
