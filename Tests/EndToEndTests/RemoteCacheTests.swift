import CyberneticEngine
import Foundation
import Testing
import TestSupport

/// The remote tier against a real nginx (WebDAV) on loopback: sharing between processes,
/// tampered blobs, a server that dies and comes back, read-only mode.
@Suite(.watchdog, .serialized) struct RemoteCacheTests {
    private let unique = "echo run-$(od -An -N8 -tu8 /dev/urandom); echo to-stderr >&2"

    private func executor(_ server: Nginx, in dir: URL, mode: RemoteMode = .readWrite,
                          configure: (inout CacheSettings) -> Void = { _ in }) -> Executor {
        var config = Configuration()
        config.cache.directory = dir.appendingPathComponent("cache-\(UUID().uuidString)").path
        config.cache.remote = server.url
        config.cache.remoteMode = mode
        configure(&config.cache)
        return Executor(configuration: config, baseDirectory: dir.path)
    }

    private func run(_ executor: Executor, _ script: String, in dir: URL) async -> Executor.Outcome {
        await executor.run(CommandRequest(argv: ["/bin/sh", "-c", script], workingDirectory: dir.path,
                                          timeout: Sanitized.scaled(.seconds(30))),
                           policy: .init(inputs: ["none"]))
    }

    private func remoteStats(_ executor: Executor) throws -> CacheTierStats {
        try #require(executor.cache.snapshot().first { $0.name == "remote" })
    }

    @Test func twoProcessesShareResultsThroughOneServer() async throws {
        let token = "s3cret-\(UUID().uuidString)"
        let server = try await Nginx.start(token: token)
        defer { Task { await server.stop() } }
        let work = try temporaryDirectory()
        func workload(_ name: String) throws -> String {
            let path = work.appendingPathComponent("\(name).toml")
            try """
            [cache]
            dir = "\(work.appendingPathComponent("cache-\(name)").path)"
            remote = "\(server.url)"
            remote_token_env = "CYBERNETIC_TEST_CACHE_TOKEN"
            """.write(to: path, atomically: true, encoding: .utf8)
            return path.path
        }
        let environment = ["CYBERNETIC_TEST_CACHE_TOKEN": token]
        let (a, b) = (try workload("a"), try workload("b"))
        let first = try await Binary.run(["exec", "--config", a, "--stats", "--", "sh", "-c", unique], in: work, environment: environment)
        let second = try await Binary.run(["exec", "--config", b, "--stats", "--", "sh", "-c", unique], in: work, environment: environment)
        let third = try await Binary.run(["exec", "--config", b, "--stats", "--", "sh", "-c", unique], in: work, environment: environment)
        #expect(first.code == 0 && second.code == 0 && third.code == 0, "\(first.stderr)\n\(second.stderr)")
        #expect(first.stderr.contains("via spawned"))
        #expect(second.stderr.contains("via cache hit (remote)"), "second process, empty disk cache: \(second.stderr)")
        #expect(second.stdout == first.stdout, "the random number shows the output came from the first process")
        #expect(second.stderr.hasPrefix("to-stderr\n"))
        #expect(third.stderr.contains("via cache hit (disk)"), "the remote hit filled the local disk tier")
        for output in [first, second, third] { #expect(!(output.stdout + output.stderr).contains(token)) }

        // The same through headless runs with reports: remote hits, bytes down, circuit closed.
        let tasks = """

        [[task]]
        name = "random"
        run = "echo task-$(od -An -N8 -tu8 /dev/urandom)"
        inputs = ["none"]
        """
        try (String(contentsOfFile: a, encoding: .utf8) + tasks).write(toFile: a, atomically: true, encoding: .utf8)
        try (String(contentsOfFile: b, encoding: .utf8) + tasks).write(toFile: b, atomically: true, encoding: .utf8)
        let reportA = work.appendingPathComponent("a.json"), reportB = work.appendingPathComponent("b.json")
        let headlessA = try await Binary.run(["--headless", "--until-idle", "--config", a, "--report", reportA.path], in: work, environment: environment)
        let headlessB = try await Binary.run(["--headless", "--until-idle", "--config", b, "--report", reportB.path], in: work, environment: environment)
        #expect(headlessA.code == 0 && headlessB.code == 0, "\(headlessA.stderr)\n\(headlessB.stderr)")
        let text = try String(contentsOf: reportB, encoding: .utf8)
        #expect(!text.contains(token) && !(headlessA.stdout + headlessB.stdout).contains(token))
        let report = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        let cache = try #require(report?["cache"] as? [String: Any])
        let tiers = try #require(cache["tiers"] as? [[String: Any]])
        let remote = try #require(tiers.first { $0["name"] as? String == "remote" })
        #expect(remote["hits"] as? Int == 1)
        #expect((remote["bytesDown"] as? Int ?? 0) > 0)
        #expect(remote["circuit"] as? String == "closed")
        #expect(remote["mode"] as? String == "readwrite")
        let taskStats = try #require((report?["tasks"] as? [[String: Any]])?.first)
        #expect(taskStats["cacheHits"] as? Int == 1)
        let phases = try #require((report?["startup"] as? [String: Any])?["phases"] as? [[String: Any]])
        let networking = try #require(phases.first { $0["name"] as? String == "engine:networking" })
        #expect((networking["note"] as? String)?.contains("reachable and writable") == true, "\(networking)")
    }

    @Test func aTamperedBlobOrActionResultIsDetectedAndNotServed() async throws {
        let server = try await Nginx.start()
        defer { Task { await server.stop() } }
        let work = try temporaryDirectory()
        let writer = executor(server, in: work)
        let blobScript = "echo blob-$(od -An -N8 -tu8 /dev/urandom)"
        let actionScript = "echo action-$(od -An -N8 -tu8 /dev/urandom)"
        let stored = await run(writer, blobScript, in: work)
        let storedAction = await run(writer, actionScript, in: work)
        await writer.cache.flush()
        #expect(stored.stored && storedAction.stored)

        // Same length, other content: only the digest can tell.
        let blobs = server.storedFiles().filter { $0.hasPrefix("cache/cas/") }.map { server.documentRoot.appendingPathComponent($0) }
        let blob = try #require(blobs.first { (try? Data(contentsOf: $0)) == Data(stored.result.stdout.bytes) })
        var bytes = try Data(contentsOf: blob)
        bytes[0] ^= 0x01
        try bytes.write(to: blob)
        let action = server.cacheRoot.appendingPathComponent("ac/\(try #require(storedAction.key).digest)")
        var record = try Data(contentsOf: action)
        record[record.count - 2] ^= 0x01
        try record.write(to: action)

        let reader = executor(server, in: work)
        let again = await run(reader, blobScript, in: work)
        let againAction = await run(reader, actionScript, in: work)
        #expect(again.path == .spawned, "the tampered blob must not be served")
        #expect(again.result.stdout.bytes != bytes.map { $0 }, "the altered bytes never reach the caller")
        #expect(againAction.path == .spawned)
        let stats = try remoteStats(reader)
        #expect(stats.discarded == 2)
        #expect(stats.hits == 0)
        let notices = reader.cache.drainNotices().map(\.message)
        #expect(notices.contains { $0.contains("does not match its SHA-256") }, "\(notices)")
        #expect(notices.contains { $0.contains("fails its checksum") }, "\(notices)")
    }

    @Test func aServerThatDiesCostsNothingAndIsUsedAgainWhenItReturns() async throws {
        let server = try await Nginx.start()
        defer { Task { await server.stop() } }
        let work = try temporaryDirectory()
        let engine = executor(server, in: work) {
            $0.remoteTimeout = .seconds(2)
            $0.remoteCoolDown = .milliseconds(300)
        }
        let before = await run(engine, unique, in: work)
        await engine.cache.flush()
        #expect(before.stored)

        await server.stop()
        var outcomes: [Executor.Outcome] = []
        for index in 0..<4 { outcomes.append(await run(engine, "echo down-\(index)", in: work)) }
        await engine.cache.flush()
        #expect(outcomes.allSatisfy { $0.result.outcome == .exited(0) && $0.path == .spawned }, "runs complete while the server is down")
        #expect(outcomes.map { String(decoding: $0.result.stdout.bytes, as: UTF8.self) } == (0..<4).map { "down-\($0)\n" })
        #expect(await run(engine, unique, in: work).path == .memoryHit, "local tiers keep answering")
        var stats = try remoteStats(engine)
        #expect(stats.circuit == .open)
        #expect(stats.errors >= 3)
        #expect(stats.skipped >= 1, "once open, lookups skip the server")
        #expect(engine.cache.drainNotices().contains { $0.level == .warning && $0.message.contains("circuit open") })

        try await server.launch()
        try await Task.sleep(for: .milliseconds(600))  // twice the cool-down
        let recovered = await run(engine, "echo back-$(od -An -N8 -tu8 /dev/urandom)", in: work)
        await engine.cache.flush()
        #expect(recovered.result.outcome == .exited(0))
        stats = try remoteStats(engine)
        #expect(stats.circuit == .closed, "a trial request after the cool-down closes the circuit")
        #expect(engine.cache.drainNotices().contains { $0.message.contains("circuit closed") })

        // What was stored before the outage and after recovery is on the server for another machine.
        let other = executor(server, in: work)
        #expect(await run(other, unique, in: work).path == .remoteHit)
        #expect(await run(other, "echo back-$(od -An -N8 -tu8 /dev/urandom)", in: work).result.stdout.bytes == recovered.result.stdout.bytes)
    }

    @Test func readOnlyModeNeverWrites() async throws {
        let server = try await Nginx.start()
        defer { Task { await server.stop() } }
        let work = try temporaryDirectory()
        let reader = executor(server, in: work, mode: .read)
        let probe = try #require(await reader.cache.probeRemote())
        #expect(probe.ok, "\(probe.note)")
        for index in 0..<3 { #expect(await run(reader, "echo local-\(index)", in: work).stored) }
        await reader.cache.flush()
        #expect(server.storedFiles().isEmpty, "read-only mode stored \(server.storedFiles())")
        #expect(!server.accessLog.contains("\"PUT "), "read-only mode sent a PUT")

        // It still reads what a read-write client shared, and still never writes.
        let writer = executor(server, in: work)
        let shared = await run(writer, unique, in: work)
        await writer.cache.flush()
        let filesAfterWriter = server.storedFiles()
        let puts = server.accessLog.components(separatedBy: "\"PUT ").count
        let fresh = executor(server, in: work, mode: .read)
        let hit = await run(fresh, unique, in: work)
        #expect(hit.path == .remoteHit)
        #expect(hit.result.stdout.bytes == shared.result.stdout.bytes)
        _ = await run(fresh, "echo never-uploaded", in: work)
        await fresh.cache.flush()
        #expect(server.storedFiles() == filesAfterWriter)
        #expect(server.accessLog.components(separatedBy: "\"PUT ").count == puts)
    }

    @Test func aLargeBlobTheServerHasIsNotUploadedAgain() async throws {
        let server = try await Nginx.start()
        defer { Task { await server.stop() } }
        let work = try temporaryDirectory()
        // 200 KiB of the same output under two different keys (the trailing `true` changes the argv).
        let script = "head -c 204800 /dev/zero | tr '\\0' x"
        let first = executor(server, in: work)
        #expect(await run(first, script, in: work).stored)
        await first.cache.flush()
        let putsBefore = server.accessLog.components(separatedBy: "\"PUT /cache/cas/").count
        let second = executor(server, in: work)
        #expect(await run(second, script + "; true", in: work).stored)
        await second.cache.flush()
        let log = server.accessLog
        #expect(log.components(separatedBy: "\"PUT /cache/cas/").count == putsBefore, "the 200 KiB blob went up once")
        #expect(log.contains("\"HEAD /cache/cas/"))
        #expect(log.components(separatedBy: "\"PUT /cache/ac/").count == 3, "each action result was stored")
        let third = executor(server, in: work)
        let hit = await run(third, script + "; true", in: work)
        #expect(hit.path == .remoteHit)
        #expect(hit.result.stdout.bytes.count == 204800)
    }

    @Test func aServerThatRefusesTheTokenIsUpNotDown() async throws {
        let server = try await Nginx.start(token: "right-token")
        defer { Task { await server.stop() } }
        let work = try temporaryDirectory()
        let wrong = executor(server, in: work) { $0.remoteTokenEnv = "CYBERNETIC_TEST_NO_SUCH_TOKEN" }
        let probe = try #require(await wrong.cache.probeRemote())
        #expect(!probe.ok)
        #expect(probe.note.contains("HTTP 401") && probe.note.contains("CYBERNETIC_TEST_NO_SUCH_TOKEN is not set"), "\(probe.note)")
        for index in 0..<4 { #expect(await run(wrong, "echo refused-\(index)", in: work).result.outcome == .exited(0)) }
        await wrong.cache.flush()
        let stats = try remoteStats(wrong)
        #expect(stats.circuit == .closed, "a 401 means the server is up: no reason to skip it")
        #expect(server.storedFiles().isEmpty)
        let notices = wrong.cache.drainNotices().map(\.message)
        #expect(notices.contains { $0.contains("refused a write (HTTP 401)") && $0.contains("check the token") }, "\(notices)")
        #expect(notices.filter { $0.contains("refused a write") }.count == 1, "warned once, not once per upload")
    }

    @Test func outputFilesTravelThroughTheServerAndAForgedOneIsRefused() async throws {
        let server = try await Nginx.start()
        defer { Task { await server.stop() } }
        let work = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        try OutputsTests.generator.write(to: work.appendingPathComponent("gen.sh"), atomically: true, encoding: .utf8)
        func config(_ name: String) throws -> String {
            let path = work.appendingPathComponent("\(name).toml")
            try "[cache]\ndir = \"\(work.appendingPathComponent("cache-\(name)").path)\"\nremote = \"\(server.url)\"\n"
                .write(to: path, atomically: true, encoding: .utf8)
            return path.path
        }
        let (a, b, c) = (try config("a"), try config("b"), try config("c"))
        let first = try await OutputsTests.exec(work, ["--config", a])
        #expect(first.stderr.contains("via spawned"), "\(first.stderr)")
        let expected = OutputTree.read(work.appendingPathComponent("out"))
        try FileManager.default.removeItem(at: work.appendingPathComponent("out"))

        // Another machine, in effect: its own empty disk cache, the same server.
        let second = try await OutputsTests.exec(work, ["--config", b])
        #expect(second.stderr.contains("via cache hit (remote)"), "\(second.stderr)")
        #expect(second.stderr.contains("outputs: 4 files restored"), "\(second.stderr)")
        #expect(OutputTree.read(work.appendingPathComponent("out")) == expected)

        // A server-side output blob altered: a third machine must not write it.
        let blobs = server.storedFiles().filter { $0.hasPrefix("cache/cas/") }
        let aText = try #require(expected["a.txt"]?.split(separator: " ").last.map(String.init))
        let blob = try #require(blobs.first { $0.hasSuffix(aText) })
        let path = server.documentRoot.appendingPathComponent(blob)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path.path)[.size] as? Int)
        try Data(repeating: 0x45, count: size).write(to: path)
        try FileManager.default.removeItem(at: work.appendingPathComponent("out"))
        let third = try await OutputsTests.exec(work, ["--config", c])
        #expect(third.stderr.contains("via spawned"), "\(third.stderr)")
        #expect(third.stderr.contains("does not match its SHA-256"), "\(third.stderr)")
        let restored = try String(contentsOf: work.appendingPathComponent("out/a.txt"), encoding: .utf8)
        #expect(restored.hasPrefix("generated at"))
    }
}
