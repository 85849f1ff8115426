import Foundation
import Testing
import TestSupport

/// Issue 11's memory target through the real binary: 10,000 runs waiting in the queue must not
/// cost a suspended task each. `Benchmarks/queued-memory.sh` measures the release binary against
/// the 50 MiB target; this keeps a debug binary under a generous bound, on any machine speed.
@Suite(.watchdog) struct QueuedMemoryTests {
    @Test func tenThousandQueuedRunsStayWellUnderSixtyFourMiB() async throws {
        let dir = try temporaryDirectory()
        let workload = dir.appendingPathComponent("queued.toml"), report = dir.appendingPathComponent("r.json")
        // Four run `sleep 600`, 9,996 wait in line until --duration stops the run and cancels them all.
        try Data("""
        [queue]
        max_concurrency = 4
        min_concurrency = 4

        [cache]
        dir = "\(dir.path)/cache"

        [optimizer]
        learning_file = "\(dir.path)/learning.json"

        [[task]]
        name = "queued"
        run = "sleep 600"
        count = 10000
        timeout = "1h"
        """.utf8).write(to: workload)
        // Two malloc arenas: on a loaded machine more threads touch the allocator and each extra
        // arena keeps its own free memory, which is noise here (20+ MiB of it), not queued runs.
        // Six seconds in a plain run, stretched under a sanitizer: every run must be in line before it ends.
        let seconds = Int(Sanitized.scaled(seconds: 6).rounded(.up))
        let result = try await Binary.run(["--headless", "--duration", "\(seconds)", "--config", workload.path, "--report", report.path],
                                    in: dir, environment: ["MALLOC_ARENA_MAX": "2"], stdoutToNull: true)
        #expect(result.code == 0, "stderr: \(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        let totals = try #require(json["totals"] as? [String: Int])
        #expect(totals["submitted"] == 10_000 && totals["cancelled"] == 10_000, "\(totals)")
        let queue = try #require(json["queue"] as? [String: Any])
        #expect(queue["maxDepth"] as? Int == 9_996, "all but four runs waited in line together (start-up took under \(seconds) s)")
        #expect(queue["depth"] as? Int == 0)
        let process = try #require(json["process"] as? [String: Any])
        let peak = try #require(process["peakResidentMiB"] as? Int)
        // A debug binary alone is about 40 MiB and measured 41 with this queue; with a suspended
        // task per queued run the release binary measured 72. The figure is the binary's own
        // (VmHWM): this test runner, its parent, is often past 100 MiB in a full run.
        #expect(peak < 64 + Sanitized.memorySlackMiB, "peak resident memory \(peak) MiB with 10,000 queued runs")
    }
}
