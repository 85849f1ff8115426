import Foundation
import Testing
import TestSupport

/// `exec --outputs`: the files a command writes come back on a hit, identical to a fresh run's,
/// and an entry that would write anywhere but the working directory writes nothing.
@Suite(.watchdog, .serialized) struct OutputsTests {
    /// Nested folders, an executable script, an empty file, a link inside the tree; stdout shows
    /// a random number, so a replay is told from a run.
    static let generator = """
    mkdir -p out/nested/deep
    echo "generated at $(od -An -N8 -tu8 /dev/urandom)" > out/a.txt
    printf '#!/bin/sh\\necho hi\\n' > out/nested/run.sh; chmod 755 out/nested/run.sh
    : > out/nested/deep/empty
    ln -sf ../a.txt out/nested/link
    echo "run $(od -An -N8 -tu8 /dev/urandom)"
    """

    static func project() throws -> URL {
        let dir = try temporaryDirectory()
        try generator.write(to: dir.appendingPathComponent("gen.sh"), atomically: true, encoding: .utf8)
        return dir
    }

    static func exec(_ dir: URL, _ extra: [String] = []) async throws -> Binary.Result {
        try await Binary.run(["exec", "--stats", "--inputs", "gen.sh", "--outputs", "out/**"] + extra + ["--", "sh", "gen.sh"], in: dir)
    }

    @Test func aHitRestoresTheTreeByteForByteAndModeForMode() async throws {
        let dir = try Self.project()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fresh = try await Self.exec(dir)
        #expect(fresh.code == 0 && fresh.stderr.contains("via spawned") && fresh.stderr.contains(": stored"), "\(fresh.stderr)")
        let expected = OutputTree.read(dir.appendingPathComponent("out"))
        #expect(expected.count == 6, "\(expected)")

        try FileManager.default.removeItem(at: dir.appendingPathComponent("out"))
        let hit = try await Self.exec(dir)
        #expect(hit.stderr.contains("via cache hit (disk)"), "\(hit.stderr)")
        #expect(hit.stdout == fresh.stdout, "replayed, not run again")
        #expect(hit.stderr.contains("outputs: 4 files restored"), "\(hit.stderr)")
        #expect(OutputTree.read(dir.appendingPathComponent("out")) == expected)

        // Everything in place already: nothing is rewritten.
        let again = try await Self.exec(dir)
        #expect(again.stderr.contains("0 files restored (0 bytes), 4 already up to date"), "\(again.stderr)")

        // One file edited by hand is put back as the command wrote it.
        try "edited".write(to: dir.appendingPathComponent("out/a.txt"), atomically: true, encoding: .utf8)
        let repaired = try await Self.exec(dir)
        #expect(repaired.stderr.contains("1 files restored"), "\(repaired.stderr)")
        #expect(OutputTree.read(dir.appendingPathComponent("out")) == expected)
    }

    @Test func outputsOverTheCapAreNotCachedAndSaySo() async throws {
        let dir = try Self.project()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "head -c 4096 /dev/zero > big.bin\n".write(to: dir.appendingPathComponent("gen.sh"), atomically: true, encoding: .utf8)
        let config = dir.appendingPathComponent("c.toml")
        try "[cache]\nmax_outputs = \"1KiB\"\n".write(to: config, atomically: true, encoding: .utf8)
        let run = try await Binary.run(["exec", "--stats", "--config", config.path, "--inputs", "gen.sh", "--outputs", "*.bin",
                                  "--", "sh", "gen.sh"], in: dir)
        #expect(run.code == 0)
        #expect(run.stderr.contains("not cached: outputs over the"), "\(run.stderr)")
        #expect(run.stderr.contains("cache.max_outputs"), "\(run.stderr)")
        let second = try await Binary.run(["exec", "--stats", "--config", config.path, "--inputs", "gen.sh", "--outputs", "*.bin",
                                     "--", "sh", "gen.sh"], in: dir)
        #expect(second.stderr.contains("via spawned"), "not stored, so it runs again: \(second.stderr)")
    }

    @Test func anUnsafeOutputGlobIsAUsageError() async throws {
        let dir = try Self.project()
        defer { try? FileManager.default.removeItem(at: dir) }
        for glob in ["../x/**", "/tmp/**"] {
            let run = try await Binary.run(["exec", "--outputs", glob, "--", "true"], in: dir)
            #expect(run.code != 0 && run.stderr.contains("--outputs"), "\(glob): \(run.stderr)")
        }
        let workload = dir.appendingPathComponent("w.toml")
        try "[[task]]\nname = \"t\"\nrun = \"true\"\noutputs = [\"../escape/*\"]\n".write(to: workload, atomically: true, encoding: .utf8)
        let check = try await Binary.run(["check", "--config", workload.path], in: dir)
        #expect(check.code == 2 && check.stderr.contains("outputs"), "\(check.stderr)")
    }

    @Test func withoutDeclaredInputsTheOutputsDoNotChangeTheKey() async throws {
        // In a git repository with untracked outputs, the working-tree fingerprint leaves the
        // task's own outputs out: the second run is a hit, not a miss caused by its first run.
        let dir = try Self.project()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try await Spawned(["git", "-C", dir.path, "init", "-q"]).exit(timeout: .seconds(60)) == 0)
        let first = try await Binary.run(["exec", "--stats", "--outputs", "out/**", "--", "sh", "gen.sh"], in: dir)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("out"))
        let second = try await Binary.run(["exec", "--stats", "--outputs", "out/**", "--", "sh", "gen.sh"], in: dir)
        #expect(first.stderr.contains("via spawned") && second.stderr.contains("via cache hit"), "\(second.stderr)")
        // An edit elsewhere in the tree still is a miss.
        try "# edited\n".write(to: dir.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let third = try await Binary.run(["exec", "--stats", "--outputs", "out/**", "--", "sh", "gen.sh"], in: dir)
        #expect(third.stderr.contains("via spawned"), "\(third.stderr)")
    }

    @Test func aWorkloadTaskRestoresItsOutputsAndTheReportCountsThem() async throws {
        let dir = try Self.project()
        defer { try? FileManager.default.removeItem(at: dir) }
        // The second run deletes the outputs first, so its hit has something to restore.
        try """
        [queue]
        max_concurrency = 1

        [[task]]
        name = "gen"
        run = "sh gen.sh"
        inputs = ["gen.sh"]
        outputs = ["out/**"]
        count = 3
        """.write(to: dir.appendingPathComponent("w.toml"), atomically: true, encoding: .utf8)
        let report = dir.appendingPathComponent("r.json")
        let run = try await Binary.run(["--headless", "--until-idle", "--config", "w.toml", "--report", report.path], in: dir)
        #expect(run.code == 0, "\(run.stderr)")
        #expect(run.stdout.contains("outputs: 0 files restored (0 bytes), 8 up to date"), "\(run.stdout)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        let cache = try #require(json["cache"] as? [String: Any])
        #expect(cache["hits"] as? Int == 2 && cache["unchangedFiles"] as? Int == 8, "\(cache)")

        try FileManager.default.removeItem(at: dir.appendingPathComponent("out"))
        let again = try await Binary.run(["--headless", "--until-idle", "--config", "w.toml", "--report", report.path], in: dir)
        #expect(again.stdout.contains("outputs: 4 files restored"), "\(again.stdout)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/nested/deep/empty").path))
    }

    @Test(arguments: [
        ("mkdir -p out; ln -sf /etc/passwd out/evil", "out/**", "points to the absolute path"),
        ("mkdir -p out; ln -sf ../../secret out/evil", "out/**", "points outside the working directory"),
        ("mkdir -p ../elsewhere-$$; ln -sfn \"$(cd ..; pwd)/elsewhere-$$\" out; echo x > out/a.txt", "out/*.txt", "leaves the working directory"),
    ])
    func outputsThatLeaveTheDirectoryAreNotCached(script: String, glob: String, reason: String) async throws {
        let outer = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: outer) }
        let dir = outer.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try script.write(to: dir.appendingPathComponent("gen.sh"), atomically: true, encoding: .utf8)
        let run = try await Binary.run(["exec", "--stats", "--inputs", "gen.sh", "--outputs", glob, "--", "sh", "gen.sh"], in: dir)
        #expect(run.code == 0, "\(run.stderr)")
        #expect(run.stderr.contains("not cached: output") && run.stderr.contains(reason), "\(run.stderr)")
        let again = try await Binary.run(["exec", "--stats", "--inputs", "gen.sh", "--outputs", glob, "--", "sh", "gen.sh"], in: dir)
        #expect(again.stderr.contains("via spawned"), "\(again.stderr)")
    }
}
