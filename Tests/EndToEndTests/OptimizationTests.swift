import Foundation
import Testing
import TestSupport

/// `--ab`, `--fail-on-regression` and the optimizer's report through the real binary.
@Suite(.watchdog) struct OptimizationTests {
    func workload(_ dir: URL) throws -> URL {
        let input = dir.appendingPathComponent("input.txt")
        try "fixed".write(to: input, atomically: true, encoding: .utf8)
        let text = """
        [queue]
        max_concurrency = 4
        [ab]
        min_samples = 20
        seed = 7
        [cache]
        dir = "\(dir.appendingPathComponent("cache").path)"
        [optimizer]
        learning_file = "\(dir.appendingPathComponent("learning.json").path)"
        [[task]]
        name = "generate"
        run = "sleep 0.05; echo generated"
        count = 120
        inputs = ["\(input.path)"]
        """
        let file = dir.appendingPathComponent("ab.toml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test func abInHeadlessModeReportsTheVerdict() async throws {
        let dir = try temporaryDirectory()
        let report = dir.appendingPathComponent("r.json")
        let result = try await Binary.run(["--headless", "--until-idle", "--config", try workload(dir).path,
                                     "--ab", "command_cache", "--fail-on-regression", "--report", report.path])
        #expect(result.code == 0, "B is better, so no regression: \(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("A/B test of command_cache started"))
        #expect(result.stdout.contains("A/B test of command_cache: B (on) better"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        let tests = try #require(json["abTests"] as? [[String: Any]])
        #expect(tests.count == 1)
        #expect(tests[0]["verdict"] as? String == "better")
        #expect((tests[0]["pValue"] as? Double ?? 1) < 0.01)
        #expect((tests[0]["nA"] as? Int ?? 0) >= 20 && (tests[0]["nB"] as? Int ?? 0) >= 20)
        for key in ["medianA", "medianB", "p95A", "p95B", "p95Difference", "seed"] {
            #expect(tests[0][key] != nil, "abTests entry lacks \(key)")
        }
        let optimizer = try #require(json["optimizer"] as? [String: Any])
        #expect(optimizer["tuning"] != nil && optimizer["learning"] != nil && optimizer["knownGoodRevision"] != nil)
    }

    @Test func abOfAnUnknownOrEngineWideFlagIsAUsageError() async throws {
        let dir = try temporaryDirectory()
        let config = try workload(dir).path
        let unknown = try await Binary.run(["--headless", "--until-idle", "--config", config, "--ab", "comand_cache"])
        #expect(unknown.code == 2)
        #expect(unknown.stderr.contains("did you mean 'command_cache'"))
        let engineWide = try await Binary.run(["--headless", "--until-idle", "--config", config, "--ab", "adaptive_concurrency"])
        #expect(engineWide.code == 2)
        #expect(engineWide.stderr.contains("cannot be split"))
    }
}
