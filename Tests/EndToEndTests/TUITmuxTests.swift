import Foundation
import Testing
import TestSupport

/// Drives the real binary in a detached tmux session, as a user would: waits for the panes, presses
/// keys, reads the screen with `capture-pane`. Every wait polls with a generous deadline, so a slow
/// machine makes the test slower, never red.
@Suite("Control room in tmux", .watchdog, .enabled(if: Tmux.available, "tmux is not installed: the interactive dashboard test needs it"),
       .serialized)
struct TUITmuxTests {
    static let titles = ["Startup", "Memory", "Process Pool", "Cache", "Queue", "Optimizations", "Events"]

    @Test("panes appear; 1 toggles the first flag; p pauses; ? shows help; resize reflows; q exits 0 and restores the terminal")
    func interactiveSession() async throws {
        let binary = Binary.path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the binary first: \(binary) is missing")
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let workload = directory.appendingPathComponent("workload.toml")
        try Data("""
        [queue]
        max_concurrency = 2

        [[phase]]
        name = "boot"
        run = "true"

        [[task]]
        name = "tick"
        run = "echo tick"
        every = "1s"
        count = 600

        """.utf8).write(to: workload)
        let status = directory.appendingPathComponent("status")
        // After the dashboard exits, the shell records its exit code and the terminal modes, so
        // the test can check both; then it idles so the pane stays readable.
        let tmux = Tmux()
        defer { tmux.killServer() }
        try await tmux.start("""
        cd '\(directory.path)'
        '\(binary)' --config '\(workload.path)'
        code=$?
        { echo "exit=$code"; stty -a; } > '\(status.path).tmp'
        mv '\(status.path).tmp' '\(status.path)'
        echo "AFTER-EXIT $code"
        sleep 600

        """, in: directory, width: 100, height: 30)

        var screen = try await tmux.waitFor("all seven pane titles") { s in Self.titles.allSatisfy { s.contains($0) } }
        #expect(screen.contains("1-6 flags"))
        screen = try await tmux.waitFor("the flags listed") { $0.contains("command_cache") }
        #expect(Self.flagLine("command_cache", in: screen)?.hasSuffix("on") == true)

        // A new revision: 2 in a plain run, later when the optimizer took a step of its own first
        // (seen under AddressSanitizer, where the dashboard took a minute to come up).
        let before = try #require(Self.revision(in: screen), "no revision in the header:\n\(screen)")
        try await tmux.run(["send-keys", "-t", "cy", "1"])
        screen = try await tmux.waitFor("command_cache off") { Self.flagLine("command_cache", in: $0)?.hasSuffix("off") == true }
        #expect((Self.revision(in: screen) ?? 0) > before, "\(screen)")

        try await tmux.run(["send-keys", "-t", "cy", "p"])
        screen = try await tmux.waitFor("intake paused") { $0.contains("PAUSED") && $0.contains("intake paused") }

        try await tmux.run(["send-keys", "-t", "cy", "?"])
        screen = try await tmux.waitFor("the help overlay") { $0.contains("toggle the n-th flag of the Optimizations pane") }
        try await tmux.run(["send-keys", "-t", "cy", "Escape"])
        screen = try await tmux.waitFor("the help overlay to close") { !$0.contains("toggle the n-th flag") }

        try await tmux.run(["resize-window", "-t", "cy", "-x", "150", "-y", "44"])
        screen = try await tmux.waitFor("the wide layout") { s in
            Self.titles.allSatisfy { s.contains($0) } && s.split(separator: "\n").contains { $0.count > 120 }
        }
        try await tmux.run(["resize-window", "-t", "cy", "-x", "70", "-y", "20"])
        screen = try await tmux.waitFor("the too-small screen") { $0.contains("Terminal too small") }
        try await tmux.run(["resize-window", "-t", "cy", "-x", "80", "-y", "24"])
        screen = try await tmux.waitFor("all titles at 80x24") { s in Self.titles.allSatisfy { s.contains($0) } }

        try await tmux.run(["send-keys", "-t", "cy", "q"])
        guard await Poll.until(.seconds(60), { FileManager.default.fileExists(atPath: status.path) }) else {
            let last = (try? await tmux.capture()) ?? ""
            Issue.record("the dashboard did not exit after q; screen:\n\(last)")
            return
        }
        let report = try String(contentsOf: status, encoding: .utf8)
        #expect(report.hasPrefix("exit=0"), "\(report)")
        // Restored: echo and canonical mode are back on (stty prints "-echo" when they are off).
        let modes = report.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        #expect(modes.contains("echo") && modes.contains("icanon"), "\(report)")
        screen = try await tmux.waitFor("the shell after exit") { $0.contains("AFTER-EXIT 0") }
        #expect(!screen.contains("Optimizations"), "the alternate screen should be gone:\n\(screen)")
    }

    @Test("Ctrl-C leaves the dashboard with the terminal restored and SIGINT's exit code")
    func interrupt() async throws {
        let binary = Binary.path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the binary first: \(binary) is missing")
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let status = directory.appendingPathComponent("status")
        let tmux = Tmux()
        defer { tmux.killServer() }
        try await tmux.start("""
        # Ctrl-C reaches the whole foreground group; the shell must outlive it to report.
        trap 'true' INT
        cd '\(directory.path)'
        '\(binary)'
        code=$?
        { echo "exit=$code"; stty -a; } > '\(status.path).tmp'
        mv '\(status.path).tmp' '\(status.path)'
        sleep 600

        """, in: directory, width: 80, height: 24, locale: "C")
        // LANG=C: the ASCII fallback must still show every title.
        let screen = try await tmux.waitFor("all seven pane titles") { s in Self.titles.allSatisfy { s.contains($0) } }
        #expect(screen.contains("+-[1 Startup]"), "ASCII boxes expected:\n\(screen)")
        try await tmux.run(["send-keys", "-t", "cy", "C-c"])
        let exited = await Poll.until(.seconds(60)) { FileManager.default.fileExists(atPath: status.path) }
        try #require(exited, "the dashboard did not exit after Ctrl-C")
        let report = try String(contentsOf: status, encoding: .utf8)
        #expect(report.hasPrefix("exit=130"), "\(report)")
        let modes = report.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        #expect(modes.contains("echo") && modes.contains("icanon"), "\(report)")
    }

    @Test("a [keys] table rebinds a key in the real dashboard; a bad key name exits 2 before the screen changes")
    func remappedKeys() async throws {
        let binary = Binary.path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the binary first: \(binary) is missing")
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func workload(_ name: String, pauseKey: String) throws -> URL {
            let url = directory.appendingPathComponent(name)
            try Data("""
            [keys]
            pause = "\(pauseKey)"

            [[task]]
            name = "tick"
            run = "echo tick"
            every = "1s"
            count = 600

            """.utf8).write(to: url)
            return url
        }
        let good = try workload("good.toml", pauseKey: "x")
        let bad = try workload("bad.toml", pauseKey: "Ctrl-Alt-Shift")
        let status = directory.appendingPathComponent("status")
        let stderr = directory.appendingPathComponent("stderr")
        let tmux = Tmux()
        defer { tmux.killServer() }
        try await tmux.start("""
        cd '\(directory.path)'
        '\(binary)' --config '\(bad.path)' 2> '\(stderr.path)'
        bad=$?
        '\(binary)' --config '\(good.path)'
        good=$?
        echo "bad=$bad good=$good" > '\(status.path).tmp'
        mv '\(status.path).tmp' '\(status.path)'
        sleep 600

        """, in: directory, width: 100, height: 30)
        var screen = try await tmux.waitFor("all seven pane titles") { s in Self.titles.allSatisfy { s.contains($0) } }
        screen = try await tmux.waitFor("the rebound key in the footer") { $0.contains("x pause") }
        #expect(!screen.contains("p pause"))
        try await tmux.run(["send-keys", "-t", "cy", "x"])
        screen = try await tmux.waitFor("intake paused by x") { $0.contains("PAUSED") && $0.contains("intake paused") }
        try await tmux.run(["send-keys", "-t", "cy", "q"])
        let exited = await Poll.until(.seconds(60)) { FileManager.default.fileExists(atPath: status.path) }
        try #require(exited, "the dashboard did not exit after q")
        let codes = try String(contentsOf: status, encoding: .utf8)
        #expect(codes.hasPrefix("bad=2 good=0"), "\(codes)")
        let message = try String(contentsOf: stderr, encoding: .utf8)
        #expect(message.contains("bad.toml"), "\(message)")
        #expect(message.contains("[keys] pause: 'Ctrl-Alt-Shift' is not a key"), "\(message)")
    }

    /// The current revision, from the header's "rev N good K".
    static func revision(in screen: String) -> Int? {
        guard let header = screen.split(separator: "\n").first, let range = header.range(of: " rev ") else { return nil }
        return Int(header[range.upperBound...].prefix { $0.isNumber })
    }

    /// The Optimizations row of a flag, trimmed of the box border.
    static func flagLine(_ flag: String, in screen: String) -> String? {
        guard let line = screen.split(separator: "\n").first(where: { $0.contains(flag) && !$0.contains("flag ") }) else { return nil }
        guard let range = line.range(of: flag) else { return nil }
        let rest = line[range.upperBound...]
        let end = rest.firstIndex(where: { $0 == "│" || $0 == "|" }) ?? rest.endIndex
        return (flag + rest[..<end]).trimmingCharacters(in: .whitespaces)
    }
}

/// A private tmux server (its own socket), so the test never touches the user's sessions.
struct Tmux {
    static var available: Bool { executable != nil }

    static var executable: String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return paths.map { "\($0)/tmux" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    let socket = "cybernetic-test-\(UUID().uuidString.prefix(8))"

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs tmux and returns its output. The server that `new-session` starts is spawned with a
    /// clean signal mask (see `Spawned`): one that inherits a test thread's mask never sees its
    /// panes exit and ignores `kill-server`.
    @discardableResult
    func run(_ arguments: [String]) async throws -> String {
        let output = Self.outputFile()
        defer { try? FileManager.default.removeItem(atPath: output) }
        let status = try await Spawned(argv(arguments), stdout: output).exit(timeout: .seconds(60))
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        guard status == 0 else {
            throw Failure(description: "tmux \(arguments.joined(separator: " ")) failed (status \(status)): \(text)")
        }
        return text
    }

    /// Starts `body` as a `/bin/sh` script (written to `directory`) in session "cy" of a
    /// `width`×`height` window, in `locale` and with TERM=tmux-256color: how every dashboard test
    /// launches the binary, with a shell around it to record what happens after it exits.
    func start(_ body: String, in directory: URL, width: Int, height: Int, locale: String = "C.UTF-8") async throws {
        let script = directory.appendingPathComponent("run.sh")
        try Data(("#!/bin/sh\n" + body).utf8).write(to: script)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        try await run(["new-session", "-d", "-s", "cy", "-x", "\(width)", "-y", "\(height)",
                       "env", "LANG=\(locale)", "LC_ALL=\(locale)", "TERM=tmux-256color", script.path])
    }

    func capture() async throws -> String {
        try await run(["capture-pane", "-p", "-t", "cy"])
    }

    /// Polls the screen until `condition` holds; fails with the last screen after `timeout`
    /// (stretched by `Sanitized.timeScale`).
    @discardableResult
    func waitFor(_ what: String, timeout: Duration = .seconds(60), _ condition: (String) -> Bool) async throws -> String {
        var screen = ""
        let held = await Poll.until(timeout, every: .milliseconds(100)) {
            screen = (try? await capture()) ?? ""
            return condition(screen)
        }
        guard held else { throw Failure(description: "timed out waiting for \(what); last screen:\n\(screen)") }
        return screen
    }

    /// Blocks for the moment `kill-server` takes, so it can run from a `defer`.
    func killServer() {
        _ = try? Spawned(argv(["kill-server"])).wait(timeout: .seconds(10))
    }

    private func argv(_ arguments: [String]) -> [String] {
        [Self.executable ?? "/usr/bin/tmux", "-L", socket, "-f", "/dev/null"] + arguments
    }

    private static func outputFile() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("tmux-\(UUID().uuidString)").path
    }
}
