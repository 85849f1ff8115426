import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A command's process group (its session leader's pid). Ending a command means ending the whole
/// group: children that ignore SIGTERM or linger in the background after the leader exits would
/// otherwise survive, and hold the output pipes open.
struct ProcessGroup: Sendable {
    let id: pid_t

    /// Exact once the leader has been reaped; a zombie leader still counts as a member.
    var isEmpty: Bool {
        kill(-id, 0) != 0 && errno == ESRCH
    }

    /// Members that are still running, zombies excluded. Reads /proc, so only used on the rare
    /// path where a leader has exited but something still holds its output open.
    var hasLiveMembers: Bool {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return false }
        for entry in entries where entry.first?.isNumber == true {
            guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 3, let group = pid_t(fields[3]) else { continue }
            if group == id && fields[0] != "Z" && fields[0] != "X" { return true }
        }
        return false
    }

    /// SIGTERM to every member, up to `grace` for them to leave, then SIGKILL to whoever is left.
    func terminate(grace: Duration, leaderReaped: Bool = true) async {
        let empty = { leaderReaped ? isEmpty : !hasLiveMembers }
        guard id > 1, !empty() else { return }
        killpg(id, SIGTERM)
        let deadline = ContinuousClock.now + grace
        var pause = Duration.milliseconds(2)
        while ContinuousClock.now < deadline {
            if empty() { return }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(50))
        }
        killpg(id, SIGKILL)
    }

    /// Whether the leader has exited (a zombie waiting to be reaped counts as exited).
    static func leaderExited(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")"), stat.distance(from: close, to: stat.endIndex) > 2 else { return true }
        let state = stat[stat.index(close, offsetBy: 2)]
        return state == "Z" || state == "X"
    }

    /// Waits for the leader to exit, then ends what remains of its group, so that a background
    /// child holding stdout open cannot keep the command "running" forever.
    func reapLeftoversAfterLeaderExits(grace: Duration) async {
        var pause = Duration.milliseconds(5)
        while !Task.isCancelled {
            if Self.leaderExited(id) {
                // Normally the output ends with the leader and this task is cancelled now.
                try? await Task.sleep(for: .milliseconds(100))
                if Task.isCancelled { return }
                await terminate(grace: grace, leaderReaped: false)
                return
            }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(100))
        }
    }
}
