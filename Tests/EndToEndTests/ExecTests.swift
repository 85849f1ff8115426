import Foundation
import Testing
import TestSupport

@Suite(.watchdog) struct ExecTests {
    private let unique = "echo run-$(od -An -N8 -tu8 /dev/urandom); echo to-stderr >&2"

    @Test func theSecondRunIsReplayedFromTheDiskCache() async throws {
        let dir = try temporaryDirectory()
        let first = try await Binary.run(["exec", "--stats", "--", "sh", "-c", unique], in: dir)
        let second = try await Binary.run(["exec", "--stats", "--", "sh", "-c", unique], in: dir)
        #expect(first.code == 0 && second.code == 0)
        #expect(first.stderr.contains("via spawned"))
        #expect(second.stderr.contains("via cache hit (disk)"))
        #expect(second.stdout == first.stdout, "the random number shows the output was replayed, not re-run")
        #expect(second.stderr.hasPrefix("to-stderr\n"))
        let uncached = try await Binary.run(["exec", "--no-cache", "--", "sh", "-c", unique], in: dir)
        #expect(uncached.stdout != first.stdout)
    }

    @Test func twoProcessesWritingTheSameEntryLeaveAValidOne() async throws {
        let dir = try temporaryDirectory()
        let script = unique
        async let a = Task.detached { try await Binary.run(["exec", "--", "sh", "-c", script], in: dir) }.value
        async let b = Task.detached { try await Binary.run(["exec", "--", "sh", "-c", script], in: dir) }.value
        let (ra, rb) = try await (a, b)
        #expect(ra.code == 0 && rb.code == 0)
        let third = try await Binary.run(["exec", "--stats", "--", "sh", "-c", script], in: dir)
        #expect(third.stderr.contains("via cache hit (disk)"))
        #expect(third.stdout == ra.stdout || third.stdout == rb.stdout)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(".cybernetic/cache/tmp").path)
        #expect(leftovers.isEmpty, "no temporary files left behind")
    }

    @Test func aFloodIsCappedAndMemoryStaysBounded() async throws {
        let dir = try temporaryDirectory()
        let result = try await Binary.run(["exec", "--stats", "--", "sh", "-c", "head -c 1073741824 /dev/zero"], in: dir,
                                    stdoutToNull: true)
        #expect(result.code == 0)
        #expect(result.stderr.contains("output over the capture limit, not stored"))
        #expect(result.stderr.contains("1073741824 bytes stdout"))
        let tail = try #require(result.stderr.components(separatedBy: "peak memory ").last)
        let peak = try #require(Int(tail.prefix { $0.isNumber }))
        #expect(peak < 256 + Sanitized.memorySlackMiB, "peak memory \(peak) MiB for 1 GiB of output")
    }

    @Test func anEditedInputIsAMiss() async throws {
        let dir = try temporaryDirectory()
        let input = dir.appendingPathComponent("data.txt")
        try "v1\n".write(to: input, atomically: true, encoding: .utf8)
        let first = try await Binary.run(["exec", "--inputs", "*.txt", "--", "cat", "data.txt"], in: dir)
        #expect(first.stdout == "v1\n")
        try "v2\n".write(to: input, atomically: true, encoding: .utf8)
        let second = try await Binary.run(["exec", "--stats", "--inputs", "*.txt", "--", "cat", "data.txt"], in: dir)
        #expect(second.stdout == "v2\n")
        #expect(second.stderr.contains("via spawned"))
    }
}
