import Foundation
import Testing
import TestSupport

/// A cache entry is a file in a folder others may reach, or a reply from a server: one that is
/// damaged, or written to make a hit write elsewhere, must write nothing; the command runs
/// instead, and the user is told why.
@Suite(.watchdog, .serialized) struct TamperedOutputsTests {
    enum Damage: String, CaseIterable, Sendable {
        case blobBytes, parentSegment, absolutePath, throughOutsideLink, linkTargetOutside
    }

    /// `outer/work` is the working directory; `outer` is the world outside it.
    struct Setup {
        let outer: URL
        var work: URL { outer.appendingPathComponent("work") }
        var action: URL {
            get throws {
                let folder = work.appendingPathComponent(".cybernetic/cache/ac")
                let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
                try #require(names.count == 1, "one action result: \(names)")
                return folder.appendingPathComponent(names[0])
            }
        }

        /// Rewrites the action result's JSON body and gives it a correct checksum: the checksum
        /// catches damage, not a forger, so the path checks must hold on their own.
        func forge(_ change: (inout [[String: Any]]) throws -> Void) throws {
            let file = try action
            let data = try Data(contentsOf: file)
            let newline = try #require(data.firstIndex(of: 0x0A))
            var body = try #require(try JSONSerialization.jsonObject(with: data[data.index(after: newline)...]) as? [String: Any])
            var outputs = try #require(body["outputs"] as? [[String: Any]])
            try change(&outputs)
            body["outputs"] = outputs
            let json = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
            try (Data("cybernetic-ac-1 \(OutputTree.sha256(json))\n".utf8) + json).write(to: file)
        }
    }

    static func index(of path: String, in outputs: [[String: Any]]) throws -> Int {
        try #require(outputs.firstIndex { $0["path"] as? String == path })
    }

    @Test(arguments: Damage.allCases)
    func aTamperedEntryWritesNothingAndTheCommandRuns(_ damage: Damage) async throws {
        let setup = Setup(outer: try temporaryDirectory())
        defer { try? FileManager.default.removeItem(at: setup.outer) }
        try FileManager.default.createDirectory(at: setup.work, withIntermediateDirectories: true)
        try OutputsTests.generator.write(to: setup.work.appendingPathComponent("gen.sh"), atomically: true, encoding: .utf8)
        let fresh = try await OutputsTests.exec(setup.work)
        try #require(fresh.code == 0 && fresh.stderr.contains(": stored"), "\(fresh.stderr)")
        let outside = setup.outer.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)

        let expectedMessage: String
        switch damage {
        case .blobBytes:
            var digest = ""
            try setup.forge { outputs in digest = try #require(outputs[try Self.index(of: "out/a.txt", in: outputs)]["digest"] as? String) }
            let blob = setup.work.appendingPathComponent(".cybernetic/cache/cas/\(digest)")
            let size = try #require(try FileManager.default.attributesOfItem(atPath: blob.path)[.size] as? Int)
            try Data(repeating: 0x45, count: size).write(to: blob)
            expectedMessage = "fails its digest"
        case .parentSegment:
            try setup.forge { $0[try Self.index(of: "out/a.txt", in: $0)]["path"] = "../escape.txt" }
            expectedMessage = "unsafe output '../escape.txt'"
        case .absolutePath:
            try setup.forge { $0[try Self.index(of: "out/a.txt", in: $0)]["path"] = outside.appendingPathComponent("x").path }
            expectedMessage = "unsafe output"
        case .throughOutsideLink:
            try FileManager.default.createSymbolicLink(atPath: setup.work.appendingPathComponent("escape").path,
                                                       withDestinationPath: outside.path)
            try setup.forge { $0[try Self.index(of: "out/a.txt", in: $0)]["path"] = "escape/pwned.txt" }
            expectedMessage = "leaves the working directory"
        case .linkTargetOutside:
            try setup.forge { $0[try Self.index(of: "out/nested/link", in: $0)]["symlink"] = "../../../outside/target" }
            expectedMessage = "unsafe output 'out/nested/link'"
        }
        try FileManager.default.removeItem(at: setup.work.appendingPathComponent("out"))

        let rerun = try await OutputsTests.exec(setup.work)
        #expect(rerun.code == 0)
        #expect(rerun.stderr.contains("via spawned"), "the command ran instead: \(rerun.stderr)")
        #expect(rerun.stdout != fresh.stdout)
        #expect(rerun.stderr.contains(expectedMessage), "says why: \(rerun.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty, "nothing written outside")
        #expect(!FileManager.default.fileExists(atPath: setup.outer.appendingPathComponent("escape.txt").path))
        let a = try String(contentsOf: setup.work.appendingPathComponent("out/a.txt"), encoding: .utf8)
        #expect(a.hasPrefix("generated at"), "the run's own output, never the tampered bytes: \(a)")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: setup.work.appendingPathComponent("out/nested/link").path)) == "../a.txt")
    }
}
