import Foundation
import Testing
import TestSupport

/// SECURITY.md's promises, through the real binary.
@Suite(.watchdog) struct SecurityTests {
    @Test func secretsNeverReachReportsLogsOrTheTerminal() async throws {
        let id = UUID().uuidString.prefix(8)
        let token = "tok-\(id)-inherited", password = "pw-\(id)-declared", url = "dburl-\(id)-marked"
        let plain = "plain-\(id)-visible"
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try Faults.write("""
        [[task]]
        name = "leaks"
        run = "env; echo \\"t=$API_TOKEN p=$DB_PASSWORD u=$DATABASE_URL plain=$MY_PLAIN\\" >&2; exit 1"
        env = ["DB_PASSWORD=\(password)", "DATABASE_URL=postgres://user:\(url)@db/x", "MY_PLAIN"]
        secret_env = ["DATABASE_URL"]

        [[task]]
        name = "leaks-on-success"
        run = "echo $DB_PASSWORD; echo $API_TOKEN >&2"
        env = ["DB_PASSWORD=\(password)"]
        """, to: "w.toml", in: dir)
        let report = dir.appendingPathComponent("r.json"), junit = dir.appendingPathComponent("j.xml")
        let result = try await Binary.run(["--headless", "--config", config.path, "--report", report.path,
                                     "--junit", junit.path], in: dir,
                                    environment: ["API_TOKEN": token, "MY_PLAIN": plain])
        #expect(result.code == 1)
        let texts = ["stdout": result.stdout, "stderr": result.stderr,
                     "report": Faults.strings(in: try Faults.json(report)).joined(separator: "\n"),
                     "junit": (try? String(contentsOf: junit, encoding: .utf8)) ?? ""]
        for (name, text) in texts {
            for secret in [token, password, url] {
                #expect(!text.contains(secret), "\(name) shows a secret: \(text)")
            }
        }
        #expect(result.stdout.contains("t=[redacted] p=[redacted] u=[redacted] plain=\(plain)"), "\(result.stdout)")
        #expect(result.stdout.contains("0 stored"), "output showing a secret is not cached: \(result.stdout)")
        let cached = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(".cybernetic/cache/cas").path)
        for blob in cached {
            let text = try String(contentsOf: dir.appendingPathComponent(".cybernetic/cache/cas/\(blob)"), encoding: .utf8)
            #expect(!text.contains(password) && !text.contains(token), "a secret reached the shared cache")
        }
    }

    @Test func arrayCommandsRunWithoutAShell() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let hostile = "$(touch injected-subst); touch injected-semicolon `touch injected-backtick` | touch injected-pipe"
        let config = try Faults.write("""
        [[task]]
        name = "literal"
        run = ["printf", "%s|", "\(hostile)", "*"]
        """, to: "w.toml", in: dir)
        let report = dir.appendingPathComponent("r.json")
        let run = try await Binary.run(["--headless", "--config", config.path, "--report", report.path], in: dir)
        #expect(run.code == 0, "\(run.stdout + run.stderr)")
        let exec = try await Binary.run(["exec", "--no-cache", "--", "printf", "%s|", hostile, "*"], in: dir)
        #expect(exec.stdout == "\(hostile)|*|", "arguments arrive verbatim, no globbing or substitution")
        let made = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("injected") }
        #expect(made.isEmpty, "a shell ran: \(made)")
    }

    @Test func cacheKeysDifferAcrossDirectoriesEnvironmentsAndInputs() async throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let a = root.appendingPathComponent("a"), b = root.appendingPathComponent("b")
        for dir in [a, b] {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try "same\n".write(to: dir.appendingPathComponent("in.txt"), atomically: true, encoding: .utf8)
        }
        let shared = root.appendingPathComponent("cache")
        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        // One cache folder for every run below (through a workload-free exec, the folder is per
        // working directory; the shared folder is linked in so the two directories share it).
        for dir in [a, b] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(".cybernetic"), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent(".cybernetic/cache"), withDestinationURL: shared)
        }
        let script = "echo \"$(pwd) $LANG $(cat in.txt) $(od -An -N4 -tu4 /dev/urandom)\""
        func run(_ dir: URL, _ env: [String: String] = [:]) async throws -> Binary.Result {
            try await Binary.run(["exec", "--stats", "--inputs", "in.txt", "--", "sh", "-c", script], in: dir, environment: env)
        }
        let first = try await run(a)
        #expect(try await run(a).stderr.contains("via cache hit"), "the same run in the same place is a hit")
        #expect(try await run(b).stderr.contains("via spawned"), "another directory is another key")
        #expect(try await run(a, ["LANG": "C.UTF-8-other"]).stderr.contains("via spawned"), "another environment is another key")
        try "changed\n".write(to: a.appendingPathComponent("in.txt"), atomically: true, encoding: .utf8)
        let edited = try await run(a)
        #expect(edited.stderr.contains("via spawned"), "other input content is another key")
        #expect(edited.stdout != first.stdout)
    }
}
