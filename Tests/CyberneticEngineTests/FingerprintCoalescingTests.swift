@testable import CyberneticEngine
import Foundation
import Synchronization
import Testing
import TestSupport

/// The working-tree fingerprint is shared by concurrent lookups, but never one begun before a
/// lookup asked: that one may have read the tree before an edit the lookup must see.
@Suite(.watchdog) struct FingerprintCoalescingTests {
    /// Computations that each wait for their own release, numbered in the order they start.
    final class Gated: Sendable {
        let started = Mutex(0)
        let released = Mutex(0)

        func compute(_ directory: String) async -> String {
            let number = started.withLock { $0 += 1; return $0 }
            while released.withLock({ $0 }) < number { try? await Task.sleep(for: .milliseconds(5)) }
            return "\(directory) #\(number)"
        }

        func waitForStart(_ number: Int) async throws {
            try await Self.wait { self.started.withLock { $0 } >= number }
        }

        /// Polls `condition`, failing (not hanging) after 240 s times `Sanitized.timeScale`.
        static func wait(_ condition: () -> Bool) async throws {
            let deadline = ContinuousClock.now + Sanitized.scaled(.seconds(240))
            while !condition() {
                guard ContinuousClock.now < deadline else { throw CancellationError() }
                try await Task.sleep(for: .milliseconds(5))
            }
        }
    }

    @Test func lookupsDuringARunningComputationShareTheNextOneNeverTheRunningOne() async throws {
        let gated = Gated()
        let coalescer = WorkingTreeFingerprint.Coalescer<String>(compute: gated.compute)
        let first = Task { await coalescer.value(for: "/repo") }
        try await gated.waitForStart(1)
        // These ask while #1 runs: #1 may have read the tree before they asked.
        let later = (0..<20).map { _ in Task { await coalescer.value(for: "/repo") } }
        // All twenty must have asked before #1 ends: on a loaded machine (a sanitized run) a task
        // can start late, ask after #2 has already ended, and wait for a #3 nobody releases.
        try await Gated.wait { coalescer.lookups == 21 }
        try await Task.sleep(for: .milliseconds(50))
        #expect(gated.started.withLock { $0 } == 1, "the queued computation waits for the running one")
        gated.released.withLock { $0 = 1 }
        #expect(await first.value == "/repo #1")
        try await gated.waitForStart(2)
        gated.released.withLock { $0 = 2 }
        for task in later { #expect(await task.value == "/repo #2") }
        #expect(gated.started.withLock { $0 } == 2, "twenty-one lookups, two computations")

        // With nothing running, the next lookup starts a fresh computation.
        gated.released.withLock { $0 = 3 }
        #expect(await coalescer.value(for: "/repo") == "/repo #3")
    }

    @Test func directoriesAreComputedSeparately() async throws {
        let gated = Gated()
        gated.released.withLock { $0 = .max }
        let coalescer = WorkingTreeFingerprint.Coalescer<String>(compute: gated.compute)
        async let a = coalescer.value(for: "/a")
        async let b = coalescer.value(for: "/b")
        let results = await [a, b]
        #expect(results[0].hasPrefix("/a #") && results[1].hasPrefix("/b #"))
    }

    @Test func anEditBetweenTwoLookupsChangesTheFingerprint() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for argv in [["init", "-q"], ["config", "user.email", "t@t"], ["config", "user.name", "t"]] {
            let status = try await Spawned(["git", "-C", dir.path] + argv).exit(timeout: .seconds(60))
            try #require(status == 0)
        }
        try Data("one".utf8).write(to: dir.appendingPathComponent("input.txt"))
        let before = try #require(await WorkingTreeFingerprint.compute(in: dir.path)).fingerprint()
        try Data("two".utf8).write(to: dir.appendingPathComponent("input.txt"))
        let after = try #require(await WorkingTreeFingerprint.compute(in: dir.path)).fingerprint()
        #expect(before.hasPrefix("git ") && after.hasPrefix("git "))
        #expect(before != after)
    }
}
