@testable import CyberneticEngine
import Foundation
import Testing
import TestSupport

/// Outputs through the executor and the engine: the memory tier carries them, the workload key
/// reaches the run, and the path rules hold on their own.
@Suite(.watchdog) struct OutputCacheTests {
    private func executor(_ dir: URL) -> Executor {
        var config = Configuration()
        config.cache.directory = dir.appendingPathComponent(".cybernetic/cache").path
        return Executor(configuration: config, baseDirectory: dir.path)
    }

    private static let script = "mkdir -p gen/sub; echo one > gen/a.txt; printf 'x%.0s' $(seq 3000) > gen/sub/b.bin; chmod 700 gen/sub/b.bin"

    @Test func theMemoryTierRestoresOutputsHeldInPooledBlocks() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let exec = executor(dir)
        let policy = Executor.CachePolicy(inputs: ["none"], outputs: ["gen/**"])
        let request = CommandRequest(argv: ["/bin/sh", "-c", Self.script], workingDirectory: dir.path).scaled()
        let first = await exec.run(request, policy: policy)
        #expect(first.path == .spawned && first.stored)
        let medium = exec.memoryPool.stats().first { $0.name == "medium" }
        #expect((medium?.inUse ?? 0) >= 1, "the 3000-byte output is held in a medium block")
        let original = try Data(contentsOf: dir.appendingPathComponent("gen/sub/b.bin"))
        try FileManager.default.removeItem(at: dir.appendingPathComponent("gen"))

        let second = await exec.run(request, policy: policy)
        #expect(second.path == .memoryHit)
        #expect(second.restored?.files == 2 && second.restored?.bytes == 3004)
        #expect(try Data(contentsOf: dir.appendingPathComponent("gen/sub/b.bin")) == original)
        let mode = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("gen/sub/b.bin").path)[.posixPermissions] as? Int
        #expect(mode == 0o700)
    }

    @Test func aTrailingDoubleStarInputSeesEveryFileBelow() async throws {
        // `src/**` once matched nothing, so an edit under src/ never changed the key.
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("src/deep"), withIntermediateDirectories: true)
        let source = dir.appendingPathComponent("src/deep/file.ts")
        try "one".write(to: source, atomically: true, encoding: .utf8)
        #expect(Glob.expand("src/**", in: dir.path) == ["src/deep/file.ts"])
        let exec = executor(dir)
        let policy = Executor.CachePolicy(inputs: ["src/**"])
        let request = CommandRequest(argv: ["/bin/sh", "-c", "cat src/deep/file.ts"], workingDirectory: dir.path).scaled()
        #expect(await exec.run(request, policy: policy).path == .spawned)
        #expect(await exec.run(request, policy: policy).path == .memoryHit)
        try "two".write(to: source, atomically: true, encoding: .utf8)
        let edited = await exec.run(request, policy: policy)
        #expect(edited.path == .spawned)
        #expect(edited.result.stdout.bytes == Array("two".utf8))
    }

    @Test func pathRules() {
        #expect(OutputPath.problem(with: "out/a.js") == nil)
        for bad in ["", "/etc/passwd", "../x", "out/../../x", "out//a", "./a", "out/./a", "a/"] {
            #expect(OutputPath.problem(with: bad) != nil, "\(bad)")
        }
        #expect(OutputPath.linkProblem(path: "out/nested/link", target: "../a.txt") == nil)
        #expect(OutputPath.linkProblem(path: "out/link", target: "../top.txt") == nil)
        #expect(OutputPath.linkProblem(path: "out/link", target: "../../up") != nil)
        #expect(OutputPath.linkProblem(path: "link", target: "/etc/passwd") != nil)
        #expect(Glob.matches("out/**", "out/a/b.js") && Glob.matches("out/*.js", "out/a.js") && !Glob.matches("out/*.js", "out/a/b.js"))
    }
}
