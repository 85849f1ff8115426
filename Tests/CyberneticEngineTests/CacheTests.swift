@testable import CyberneticEngine
import Foundation
import Testing
import TestSupport

@Suite(.watchdog) struct CacheTests {
    private func executor(_ dir: URL, _ configure: (inout Configuration) -> Void = { _ in }) -> Executor {
        var config = Configuration()
        config.cache.directory = dir.appendingPathComponent("cache").path
        configure(&config)
        return Executor(configuration: config, baseDirectory: dir.path)
    }

    private func request(_ script: String, in dir: URL, env: [String: String?] = [:]) -> CommandRequest {
        CommandRequest(argv: ["/bin/sh", "-c", script], workingDirectory: dir.path, environment: env).scaled()
    }

    @Test func theSameCommandTwiceIsAHitWithIdenticalOutput() async throws {
        let dir = try temporaryDirectory()
        let exec = executor(dir)
        let policy = Executor.CachePolicy(inputs: ["*.txt"])
        let script = "echo out-$(od -An -N8 -tu8 /dev/urandom); echo err-line >&2; exit 0"
        let first = await exec.run(request(script, in: dir), policy: policy)
        #expect(first.path == .spawned)
        #expect(first.stored)
        let second = await exec.run(request(script, in: dir), policy: policy)
        #expect(second.path == .memoryHit)
        #expect(second.result.stdout.bytes == first.result.stdout.bytes, "the random number proves it was replayed")
        #expect(second.result.stderr.bytes == first.result.stderr.bytes)
        #expect(second.result.outcome == .exited(0))
        #expect(second.key == first.key)
    }

    @Test func anythingThatChangesTheResultIsAMiss() async throws {
        let dir = try temporaryDirectory()
        let other = try temporaryDirectory()
        let input = dir.appendingPathComponent("in.txt")
        try "one".write(to: input, atomically: true, encoding: .utf8)
        let exec = executor(dir)
        let policy = Executor.CachePolicy(declaredEnvironment: ["GREETING"], inputs: ["*.txt"])
        func key(_ script: String = "cat in.txt; echo $GREETING", in where: URL? = nil, env: [String: String?] = ["GREETING": "hi"]) async -> CacheKey? {
            await exec.run(request(script, in: `where` ?? dir, env: env), policy: policy).key
        }
        let base = await key()
        #expect(await key() == base, "same inputs, same key")
        #expect(await key("cat in.txt; echo $GREETING; true") != base, "argument")
        #expect(await key(env: ["GREETING": "hello"]) != base, "declared environment variable")
        #expect(await key(in: other) != base, "working directory")
        try "two".write(to: input, atomically: true, encoding: .utf8)
        #expect(await key() != base, "input file content")
        let undeclared = await exec.run(request("true", in: dir, env: ["UNRELATED": "x"]), policy: policy).key
        let undeclared2 = await exec.run(request("true", in: dir, env: ["UNRELATED": "y"]), policy: policy).key
        #expect(undeclared != undeclared2, "a variable set for the command is part of the key even when undeclared")
    }

    @Test func failedCommandsAreNotCachedUnlessAsked() async throws {
        let dir = try temporaryDirectory()
        let exec = executor(dir)
        let plain = await exec.run(request("exit 3", in: dir), policy: .init(inputs: ["none"]))
        #expect(!plain.stored)
        #expect(await exec.run(request("exit 3", in: dir), policy: .init(inputs: ["none"])).path == .spawned)
        let asked = Executor.CachePolicy(inputs: ["none"], cacheFailures: true)
        #expect(await exec.run(request("exit 4", in: dir), policy: asked).stored)
        let hit = await exec.run(request("exit 4", in: dir), policy: asked)
        #expect(hit.path == .memoryHit)
        #expect(hit.result.outcome == .exited(4))
    }

    @Test func lruEvictsTheLeastRecentlyUsedAndTTLExpires() {
        var lru = LRUCache<Int>(capacity: 3, ttl: .seconds(10))
        lru.put("a", 1, now: 0)
        lru.put("b", 2, now: 1)
        lru.put("c", 3, now: 2)
        #expect(lru.get("a", now: 3) == 1)          // a is now the most recent
        #expect(lru.put("d", 4, now: 4) == 2)       // so b goes
        #expect(lru.keysByRecency == ["d", "a", "c"])
        #expect(lru.evictions == 1)
        #expect(lru.get("c", now: 12) == nil)       // stored at 2, ttl 10: expired
        #expect(lru.expirations == 1)
        #expect(lru.get("d", now: 12) == 4)
        #expect(lru.count == 2)
        for i in 0..<1000 { lru.put("k\(i)", i, now: 20) }
        #expect(lru.count == 3)
        #expect(lru.keysByRecency == ["k999", "k998", "k997"])
    }

    @Test func aCorruptOrTruncatedDiskEntryIsDiscardedAndRerun() async throws {
        let dir = try temporaryDirectory()
        let policy = Executor.CachePolicy(inputs: ["none"])
        let writer = executor(dir)
        let first = await writer.run(request("echo fresh-$(od -An -N8 -tu8 /dev/urandom)", in: dir), policy: policy)
        await writer.cache.flush()
        let key = try #require(first.key).digest
        let cas = dir.appendingPathComponent("cache/cas")
        let ac = dir.appendingPathComponent("cache/ac/\(key)")

        // A fresh executor (empty memory tier) reads it from disk.
        var exec = executor(dir)
        try exec.cache.open()
        let fromDisk = await exec.run(request("echo fresh-$(od -An -N8 -tu8 /dev/urandom)", in: dir), policy: policy)
        #expect(fromDisk.path == .diskHit)
        #expect(fromDisk.result.stdout.bytes == first.result.stdout.bytes)

        // Flip one byte of the stdout blob: detected, discarded, the command runs again.
        let blob = cas.appendingPathComponent(DiskCache.digest(first.result.stdout.bytes))
        var bytes = try Data(contentsOf: blob)
        bytes[0] ^= 0x01
        try bytes.write(to: blob)
        exec = executor(dir)
        let afterFlip = await exec.run(request("echo fresh-$(od -An -N8 -tu8 /dev/urandom)", in: dir), policy: policy)
        #expect(afterFlip.path == .spawned)
        #expect(exec.cache.snapshot().first { $0.name == "disk" }?.discarded == 1)
        await exec.cache.flush()

        // Truncate the action result: same.
        let action = try Data(contentsOf: ac)
        try action.prefix(action.count / 2).write(to: ac)
        exec = executor(dir)
        #expect(await exec.run(request("echo fresh-$(od -An -N8 -tu8 /dev/urandom)", in: dir), policy: policy).path == .spawned)
        let rewritten = FileManager.default.contents(atPath: ac.path)
        #expect(rewritten == nil || DiskCache.decodeAction(rewritten!) != nil, "the truncated entry is gone or replaced by a valid one")
    }

    @Test func cappedOutputIsNeverCached() async throws {
        let dir = try temporaryDirectory()
        let exec = executor(dir) { $0.cache.maxOutputBytes = 1024 }
        let outcome = await exec.run(request("head -c 100000 /dev/zero", in: dir), policy: .init(inputs: ["none"]))
        #expect(outcome.capped)
        #expect(!outcome.stored)
        #expect(outcome.result.stdout.totalBytes == 100_000)
        #expect(outcome.result.stdout.bytes.count < 100_000)
    }

    @Test func outputTailKeepsTheNewestBytesAcrossManyChunks() {
        var tail = OutputTail(limit: 10)
        var all: [UInt8] = []
        for i in 0..<57 {
            let chunk = (0..<(i % 7)).map { UInt8(truncatingIfNeeded: i * 31 + $0) }
            tail.append(chunk)
            all += chunk
        }
        #expect(tail.bytes == Array(all.suffix(10)))
        #expect(tail.totalBytes == all.count)
    }
}
