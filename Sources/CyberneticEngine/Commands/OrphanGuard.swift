import Foundation
import Subprocess
import SystemPackage
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Makes sure nothing Cybernetic started outlives it, even when it is SIGKILLed and so cannot
/// tear anything down itself.
///
/// Why not `PR_SET_PDEATHSIG`: it fires when the *thread* that forked the child exits, and Swift's
/// cooperative pool runs on libdispatch worker threads that exit after a few idle seconds, so it
/// would kill healthy commands at random; it is cleared in grandchildren (a command's own children
/// would survive); and swift-subprocess 1.0.2 offers no pre-exec hook on Linux to set it.
///
/// Instead, `arm()` marks this process's environment with a run token (`CYBERNETIC_RUN_ID`), which
/// every child inherits through `Environment.inherit` and passes on to its own children, and starts
/// a watchdog (`/bin/sh`, a session of its own, so terminal signals do not reach it) whose stdin is
/// a pipe only this process holds open for writing. However this process ends, the kernel closes
/// that pipe; the watchdog reads end of file and SIGKILLs every process that carries the token, the
/// process groups and sessions they belong to (which also catches members that cleared or
/// overwrote their environment), and repeats until a round finds nothing, so that children forked
/// during the sweep are caught too. After a clean exit that is one `grep` over `/proc/*/environ`.
///
/// What it cannot catch: a process that both scrubbed its environment (`env -i`) and left its
/// session and process group (`setsid`); see SECURITY.md.
public enum OrphanGuard {
    /// The environment variable that marks every process started under this Cybernetic.
    public static let variable = "CYBERNETIC_RUN_ID"

    private static let state = Mutex<String?>(nil)

    /// This run's token, once armed.
    public static var token: String? { state.withLock { $0 } }

    /// Marks the environment and starts the watchdog. Call early, before commands are spawned.
    /// Idempotent. Returns false (and leaves commands to the ordinary teardown) when no watchdog
    /// could be started.
    @discardableResult
    public static func arm() async -> Bool {
        let token: String? = state.withLock { current in
            if current != nil { return nil }
            let value = "\(getpid())-\(UInt64.random(in: 1 ... .max))"
            current = value
            return value
        }
        guard let token else { return true }
        var fds: [Int32] = [-1, -1]
        // Close-on-exec, so no command inherits the write end and keeps the watchdog waiting
        // (swift-subprocess also closes stray descriptors in its children).
        guard pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        // The write end stays open, deliberately, for the life of the process: its closing is the signal.
        let readEnd = fds[0]
        setenv(variable, token, 1)
        // The watchdog must never sweep the session or group this process was started in (the
        // user's shell, a pipeline's other members).
        let spared = "\(getsid(0)) \(getpgrp())"
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let once = Mutex<CheckedContinuation<Bool, Never>?>(continuation)
            let resume = { @Sendable (value: Bool) in once.withLock { $0.take() }?.resume(returning: value) }
            Task.detached {
                var options = PlatformOptions()
                options.createSession = true
                _ = try? await Subprocess.run(
                    .path(FilePath("/bin/sh")),
                    arguments: Arguments(["-c", script, "cybernetic-guard", token, spared]),
                    environment: Environment.inherit.updating([Environment.Key(stringLiteral: variable): nil]),
                    workingDirectory: FilePath("/"),
                    platformOptions: options,
                    input: .fileDescriptor(FileDescriptor(rawValue: readEnd), closeAfterSpawningProcess: true),
                    output: .discarded,
                    error: .discarded
                ) { _ in
                    resume(true)
                    // Never returns while this process lives: the watchdog waits for the pipe to close.
                    try? await Task.sleep(for: .seconds(100 * 365 * 86_400))
                }
                resume(false)
            }
        }
    }

    /// The watchdog. `$1` is the token, `$2` the session and process group it must spare. Only shell built-ins run in the sweep, except one `grep`
    /// per round to find the marked processes and a short `sleep` between rounds.
    static let script = #"""
    trap '' HUP INT TERM QUIT PIPE
    while IFS= read -r _; do :; done
    mark="CYBERNETIC_RUN_ID=$1"
    spared=" 0 1 $2 "
    hit=1
    rounds=0
    while [ "$hit" = 1 ] && [ "$rounds" -lt 200 ]; do
        rounds=$((rounds + 1))
        hit=0
        groups=" "
        for f in $(grep -lzxF -- "$mark" /proc/[0-9]*/environ 2>/dev/null); do
            p=${f#/proc/}; p=${p%/environ}
            [ "$p" = "$$" ] && continue
            if IFS= read -r s < "/proc/$p/stat"; then
                set -- ${s##*) }
                for g in "$3" "$4"; do
                    case "$spared$groups" in *" $g "*) ;; *) groups="$groups$g " ;; esac
                done
            fi
            kill -KILL "$p" 2>/dev/null && hit=1
        done
        if [ "$groups" != " " ]; then
            for f in /proc/[0-9]*/stat; do
                IFS= read -r s < "$f" 2>/dev/null || continue
                p=${s%% *}
                [ "$p" = "$$" ] && continue
                set -- ${s##*) }
                [ "$1" = Z ] && continue
                case "$groups" in *" $3 "*|*" $4 "*) kill -KILL "$p" 2>/dev/null && hit=1 ;; esac
            done
        fi
        [ "$hit" = 1 ] && sleep 0.05
    done
    """#
}
