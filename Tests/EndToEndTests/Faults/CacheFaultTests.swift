import Foundation
import Synchronization
import Testing
import TestSupport

/// The disk cache under damage: torn, truncated and bit-flipped files, folders it cannot write or
/// must not trust, and Cybernetic SIGKILLed while it writes. A damaged entry is never served; a
/// committed one is never lost.
@Suite(.watchdog) struct CacheFaultTests {
    /// A command whose exact output is known in advance, so a replay of wrong bytes is caught.
    struct Probe {
        let id = UUID().uuidString
        var lines = 3000
        var argv: [String] { ["sh", "-c", "seq 1 \(lines); echo probe-\(id)"] }
        var expected: String { (1...lines).map(String.init).joined(separator: "\n") + "\nprobe-\(id)\n" }
    }

    static func exec(_ probe: Probe, in dir: URL) async throws -> Binary.Result {
        try await Binary.run(["exec", "--stats", "--"] + probe.argv, in: dir)
    }

    static func cacheRoot(_ dir: URL) -> URL { dir.appendingPathComponent(".cybernetic/cache") }

    /// The action-result files and the stdout blob named by the only one, after one stored run.
    static func entryFiles(_ dir: URL) throws -> (action: URL, stdoutBlob: URL) {
        let root = cacheRoot(dir)
        let actions = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("ac").path)
        let action = root.appendingPathComponent("ac").appendingPathComponent(try #require(actions.first))
        let data = try Data(contentsOf: action)
        let body = data[(try #require(data.firstIndex(of: 0x0A)) + 1)...]
        let entry = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        let digest = try #require((entry["stdout"] as? [String: Any])?["digest"] as? String)
        return (action, root.appendingPathComponent("cas").appendingPathComponent(digest))
    }

    enum Damage: CaseIterable {
        case truncateAction, flipActionByte, truncateBlob, flipBlobByte, deleteBlob, emptyAction
    }

    static func apply(_ damage: Damage, to files: (action: URL, stdoutBlob: URL)) throws {
        func flip(_ url: URL) throws {
            var data = try Data(contentsOf: url)
            let index = data.count / 2
            data[index] ^= 0x10
            try data.write(to: url)
        }
        func truncate(_ url: URL) throws {
            let data = try Data(contentsOf: url)
            try data.prefix(data.count / 2).write(to: url)
        }
        switch damage {
        case .truncateAction: try truncate(files.action)
        case .flipActionByte: try flip(files.action)
        case .truncateBlob: try truncate(files.stdoutBlob)
        case .flipBlobByte: try flip(files.stdoutBlob)
        case .deleteBlob: try FileManager.default.removeItem(at: files.stdoutBlob)
        case .emptyAction: try Data().write(to: files.action)
        }
    }

    @Test(arguments: Damage.allCases)
    func aDamagedEntryIsDiscardedNeverServed(_ damage: Damage) async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let probe = Probe()
        let first = try await Self.exec(probe, in: dir)
        #expect(first.code == 0 && first.stdout == probe.expected)
        let hit = try await Self.exec(probe, in: dir)
        #expect(hit.stderr.contains("via cache hit (disk)"), "stored and replayed before the damage: \(hit.stderr)")

        try Self.apply(damage, to: try Self.entryFiles(dir))
        let after = try await Self.exec(probe, in: dir)
        #expect(after.code == 0)
        #expect(after.stdout == probe.expected, "the damaged bytes were served")
        #expect(after.stderr.contains("via spawned"), "a damaged entry is a miss: \(after.stderr)")
        #expect(after.stderr.contains("1 discarded"), "and is counted as discarded: \(after.stderr)")
        let again = try await Self.exec(probe, in: dir)
        #expect(again.stderr.contains("via cache hit (disk)"), "the rerun stored a good entry again")
        #expect(again.stdout == probe.expected)
    }

    @Test func cacheFoldersArePrivateAndFilesUnreadableToOthers() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try await Self.exec(Probe(), in: dir).code == 0)
        for folder in [".cybernetic", ".cybernetic/cache", ".cybernetic/cache/ac", ".cybernetic/cache/cas",
                       ".cybernetic/cache/tmp"] {
            let mode = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent(folder).path)[.posixPermissions] as? Int
            #expect(mode == 0o700, "\(folder) is \(String(mode ?? 0, radix: 8))")
        }
        let files = try Self.entryFiles(dir)
        for file in [files.action, files.stdoutBlob] {
            let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(file.lastPathComponent) is \(String(mode ?? 0, radix: 8))")
        }
    }

    @Test func aCacheFolderAnyoneCanWriteIsNotTrusted() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let probe = Probe()
        #expect(try await Self.exec(probe, in: dir).code == 0)
        // Anyone could have planted this entry: it must not be replayed.
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: Self.cacheRoot(dir).path)
        let shared = try await Self.exec(probe, in: dir)
        #expect(shared.code == 0 && shared.stdout == probe.expected)
        #expect(shared.stderr.contains("writable by every user"), "\(shared.stderr)")
        #expect(shared.stderr.contains("via spawned"), "\(shared.stderr)")
    }

    @Test func anUnwritableCacheCostsSpeedNotRuns() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Writes fail mid-run (the scratch folder is a file; this holds even for root, whom
        // permission bits do not stop).
        let probe = Probe()
        try FileManager.default.createDirectory(at: Self.cacheRoot(dir), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: Self.cacheRoot(dir).appendingPathComponent("tmp").path, contents: Data())
        for _ in 0..<2 {
            let result = try await Self.exec(probe, in: dir)
            #expect(result.code == 0 && result.stdout == probe.expected, "\(result.stderr)")
        }
        // The folder cannot be created at all: the headless run completes and says why.
        let blocker = dir.appendingPathComponent("not-a-folder")
        _ = FileManager.default.createFile(atPath: blocker.path, contents: Data())
        let config = try Faults.write("""
        [cache]
        dir = "\(blocker.path)/cache"
        [[task]]
        name = "one"
        run = "echo one"
        """, to: "w.toml", in: dir)
        let run = try await Binary.run(["--headless", "--config", config.path], in: dir)
        #expect(run.code == 0, "\(run.stdout + run.stderr)")
        #expect(run.stdout.contains("is not usable"), "\(run.stdout)")
        #expect(run.stdout.contains("1 submitted, 1 completed"), "\(run.stdout)")
    }

    /// Cybernetic SIGKILLed while it writes entries, N times in a row: every later start serves
    /// only exact entries, and every run that finished before its kill keeps its entry.
    @Test func killedMidWriteNeverServesCorruptAndLosesNothingCommitted() async throws {
        let rounds = Faults.long ? 20 : 3
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // How long one uncached run takes, output and write included, to aim the kills at it.
        func bigProbe() -> Probe {
            var probe = Probe()
            probe.lines = 1_000_000  // about 7 MB: a write long enough to land a kill in
            return probe
        }
        let clock = ContinuousClock()
        var committed: [Probe] = []
        var durations: [Double] = []
        for _ in 0..<2 {
            let probe = bigProbe()
            let measured = clock.now
            #expect(try await Self.exec(probe, in: dir).code == 0)
            let elapsed = (clock.now - measured).components
            durations.append(Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
            committed.append(probe)
        }
        let full = durations.min()!
        var killed: [Probe] = []
        var midWrite = 0
        let scratch = Self.cacheRoot(dir).appendingPathComponent("tmp")
        for round in 0..<rounds {
            let probe = bigProbe()
            let binary = try RunningBinary(["exec", "--"] + probe.argv, in: dir)
            let before = Set((try? FileManager.default.contentsOfDirectory(atPath: scratch.path)) ?? [])
            let writing: @Sendable () -> Bool = {
                !Set((try? FileManager.default.contentsOfDirectory(atPath: scratch.path)) ?? []).subtracting(before).isEmpty
            }
            // Even rounds are aimed: the kill lands the moment a temporary file shows up, with a
            // write in flight. Odd rounds are spread over the whole run (output, hashing, blob
            // write, fsync, rename, action write), up to just past its end. Both are sent from
            // `Poll.closely`'s own thread: a test task resumed by a busy pool came too late for
            // the write, and overslept the spread rounds' offsets past the end of the run.
            let process = binary.process
            let aimed = round % 2 == 0
            let killAt = ContinuousClock.now + .seconds(full * (0.3 + 0.8 * Double(round) / Double(max(rounds - 1, 1))))
            let inFlight = Flag()
            _ = await Poll.closely(.seconds(full * 3), every: .microseconds(500)) {
                let write = writing()
                guard aimed ? write : ContinuousClock.now >= killAt else { return !process.isRunning }
                inFlight.set(write)
                process.kill(SIGKILL)
                return true
            }
            if let status = process.exitStatus, status & 0x7f == SIGKILL {
                killed.append(probe)
                if inFlight.value { midWrite += 1 }
            } else if try await binary.waitForExit() == 0 {
                committed.append(probe)
            }
        }
        #expect(midWrite > 0, "at least one kill landed while an entry was being written")
        print("mid-write kills: \(killed.count) of \(rounds) runs killed (\(midWrite) with a write in flight), \(committed.count) committed (one run: \(full) s)")
        for probe in committed {
            let result = try await Self.exec(probe, in: dir)
            #expect(result.stdout == probe.expected, "a committed entry replayed wrong bytes")
            #expect(result.stderr.contains("via cache hit (disk)"), "a committed entry was lost: \(result.stderr)")
        }
        for probe in killed {
            let result = try await Self.exec(probe, in: dir)
            #expect(result.code == 0 && result.stdout == probe.expected, "after a kill: wrong bytes served")
        }
    }
}

/// A Bool another thread sets.
final class Flag: Sendable {
    private let state = Mutex(false)
    var value: Bool { state.withLock { $0 } }
    func set(_ value: Bool) { state.withLock { $0 = value } }
}
