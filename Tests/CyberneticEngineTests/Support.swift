import CyberneticEngine
import Foundation
import TestSupport

/// Helpers shared by engine tests: build workloads from text and run an engine until idle.
enum Workload {
    /// What the optimizer learns in one test stays in that test: its records go to a fresh folder.
    /// A workload that leaves `task_timeout` at its default gets `Sanitized.finishing` of it: its
    /// commands are expected to finish.
    static func parse(_ text: String) throws -> Configuration {
        var config = try ConfigurationLoader.parse(text, source: "test")
        if !text.contains("task_timeout") { config.queue.taskTimeout = Sanitized.finishing(config.queue.taskTimeout) }
        if config.optimizer.learningFile == nil {
            config.optimizer.learningFile = FileManager.default.temporaryDirectory
                .appendingPathComponent("cybernetic-learning-\(UUID().uuidString).json").path
        }
        return config
    }
}

extension Engine {
    /// Runs the engine until its workload is idle (or start-up failed), then stops it and
    /// returns the final snapshot. Polls the engine, not the clock: no timing assumptions.
    func runUntilIdle() async throws -> EngineSnapshot {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.run() }
            group.addTask {
                while true {
                    let state = self.snapshot().state
                    if state == .idle || state == .failed { break }
                    try await Task.sleep(for: .milliseconds(20))
                }
                self.stop()
            }
            try await group.waitForAll()
        }
        return snapshot()
    }

    /// Waits until `condition` holds for a snapshot.
    func waitFor(_ condition: (EngineSnapshot) -> Bool) async throws -> EngineSnapshot {
        while true {
            let current = snapshot()
            if condition(current) { return current }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

extension CommandRequest {
    /// This request with its time limit (30 s by default) made `Sanitized.finishing`: the tests'
    /// commands are expected to finish, and on a loaded machine (or under a sanitizer) a 5 MB
    /// flood or a warm-runner round trip has taken longer than 30 s.
    func scaled() -> CommandRequest {
        var request = self
        request.timeout = Sanitized.finishing(timeout)
        return request
    }
}

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("cybernetic-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func processIsAlive(_ pid: Int32) -> Bool {
    // A zombie still answers kill(0); read its state instead.
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
    guard let close = stat.lastIndex(of: ")") else { return false }
    let state = stat[stat.index(close, offsetBy: 2)]
    return state != "Z" && state != "X"
}

struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

extension Engine {
    /// Waits until `condition` holds, failing (not hanging) after `limit` (stretched by
    /// `Sanitized.timeScale`). The limit is generous: it only catches a broken loop, never a slow machine.
    func waitFor(_ what: String, within limit: Duration = .seconds(90),
                 _ condition: (EngineSnapshot) -> Bool) async throws -> EngineSnapshot {
        let deadline = ContinuousClock.now + Sanitized.scaled(limit)
        while ContinuousClock.now < deadline {
            let current = snapshot()
            if condition(current) { return current }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TimedOut(what: what)
    }

    /// Starts `run()` in a task the caller stops with `stop()` and awaits.
    func start() -> Task<Void, any Error> {
        Task { try await self.run() }
    }
}
