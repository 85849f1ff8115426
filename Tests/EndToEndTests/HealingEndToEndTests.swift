import Foundation
import Testing
import TestSupport

/// Self-healing through the real binary: `CYBERNETIC_BOOTSTRAPS` points the pool at a runner
/// bootstrap that crashes at boot, as a broken interpreter install would.
@Suite(.watchdog) struct HealingEndToEndTests {
    @Test func aRuntimeThatCrashesAtBootOpensItsCircuitAndTasksStillComplete() async throws {
        let dir = try temporaryDirectory()
        let bootstraps = dir.appendingPathComponent("bootstraps")
        try FileManager.default.createDirectory(at: bootstraps, withIntermediateDirectories: true)
        let shipped = Binary.packageRoot.appendingPathComponent("Sources/CyberneticEngine/Commands/Pool/Bootstraps")
        for name in ["runner.js", "runner.py"] {
            try FileManager.default.copyItem(at: shipped.appendingPathComponent(name), to: bootstraps.appendingPathComponent(name))
        }
        try "exit 3\n".write(to: bootstraps.appendingPathComponent("runner.sh"), atomically: true, encoding: .utf8)
        let config = dir.appendingPathComponent("w.toml"), report = dir.appendingPathComponent("r.json")
        try """
        [process_pool]
        min = 1
        max = 2
        runtimes = ["sh"]

        [[task]]
        name = "hello"
        run = "echo hello"
        count = 24
        every = "250ms"
        cache = false
        """.write(to: config, atomically: true, encoding: .utf8)

        let result = try await Binary.run(["--headless", "--until-idle", "--config", config.path, "--report", report.path],
                                    environment: ["CYBERNETIC_BOOTSTRAPS": bootstraps.path])
        #expect(result.code == 0, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
        #expect(result.stdout.contains("healing: runner sh: circuit open: spawning directly"), "\(result.stdout)")

        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        let totals = try #require(json["totals"] as? [String: Int])
        #expect(totals["submitted"] == 24 && totals["completed"] == 24 && totals["failed"] == 0, "every task ran, directly")
        let healing = try #require(json["healing"] as? [[String: Any]])
        let open = try #require(healing.first { $0["action"] as? String == "circuit open: spawning directly" })
        #expect(open["subject"] as? String == "runner sh")
        #expect((open["reason"] as? String)?.contains("exceed the restart intensity (5 in 10s)") == true, "\(open)")
        #expect(healing.contains { ($0["action"] as? String)?.hasPrefix("backoff ") == true })
        let pool = try #require(json["processPool"] as? [String: Any])
        let sh = try #require((pool["runtimes"] as? [[String: Any]])?.first { $0["runtime"] as? String == "sh" })
        #expect(sh["circuit"] as? String == "open")
        #expect((sh["crashes"] as? Int ?? 0) >= 6)
        #expect(pool["warmRuns"] as? Int == 0)
        #expect(pool["directRuns"] as? Int == 24)
        let events = try #require(json["events"] as? [[String: Any]])
        #expect(events.contains { ($0["message"] as? String)?.hasPrefix("healing: runner sh: circuit open") == true })
    }
}
