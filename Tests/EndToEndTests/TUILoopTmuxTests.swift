import Foundation
import Testing
import TestSupport

/// The cybernetic loop from the keyboard: a flag flipped with its number, `r` back to the
/// known-good revision, `a` running an A/B test of the selected flag to a verdict on screen.
@Suite("Optimizations from the keyboard", .watchdog, .enabled(if: Tmux.available, "tmux is not installed"), .serialized)
struct TUILoopTmuxTests {
    @Test("1 flips command_cache, r rolls back to revision 1, a runs an A/B test to its verdict")
    func flagRollbackAndABTest() async throws {
        let binary = Binary.path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the binary first: \(binary) is missing")
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("fixed".utf8).write(to: directory.appendingPathComponent("input.txt"))
        let workload = directory.appendingPathComponent("workload.toml")
        try Data("""
        [queue]
        max_concurrency = 4
        [ab]
        min_samples = 15
        [optimizer]
        # Revision 2 must not become known-good before r is pressed.
        validation_window = "10m"
        [flags]
        # The loop would undo the harmful flip by itself; here the keys are under test.
        self_optimization = false
        [[task]]
        name = "generate"
        run = "sleep 0.05; echo generated"
        every = "60ms"
        inputs = ["input.txt"]

        [[task]]
        name = "generate-2"
        run = "sleep 0.05; echo generated again"
        every = "60ms"
        inputs = ["input.txt"]

        """.utf8).write(to: workload)
        let tmux = Tmux()
        defer { tmux.killServer() }
        try await tmux.start("""
        cd '\(directory.path)'
        '\(binary)' --config '\(workload.path)'
        echo "AFTER-EXIT $?"
        sleep 600

        """, in: directory, width: 160, height: 50)
        _ = try await tmux.waitFor("the flags listed") { $0.contains("command_cache") && $0.contains("Optimizations") }

        try await tmux.run(["send-keys", "-t", "cy", "1"])
        _ = try await tmux.waitFor("command_cache off at revision 2") {
            Self.flag("command_cache", is: "off", in: $0) && $0.contains("rev 2")
        }
        try await tmux.run(["send-keys", "-t", "cy", "r"])
        var screen = try await tmux.waitFor("the rollback") {
            Self.flag("command_cache", is: "on", in: $0) && $0.contains("rolled back to revision 1")
        }
        #expect(screen.contains("rev 3"))

        try await tmux.run(["send-keys", "-t", "cy", "a"])
        screen = try await tmux.waitFor("the A/B test to start") { $0.contains("A/B test of command_cache started") }
        screen = try await tmux.waitFor("the verdict", timeout: .seconds(180)) { $0.contains("command_cache better p=") }
        #expect(screen.contains("B (on) better"))

        try await tmux.run(["send-keys", "-t", "cy", "q"])
        _ = try await tmux.waitFor("the shell after exit") { $0.contains("AFTER-EXIT 0") }
    }

    /// The flag's row in the Optimizations pane ("1 ✗ command_cache      off") shows `state`.
    static func flag(_ name: String, is state: String, in screen: String) -> Bool {
        screen.split(separator: "\n").contains { line in
            guard let range = line.range(of: " \(name) ") else { return false }
            let rest = line[range.upperBound...].drop { $0 == " " }
            return rest.hasPrefix(state + " ") || rest.hasPrefix(state + "│") || rest.hasPrefix(state + "|")
        }
    }
}
