@testable import CyberneticEngine
import Foundation
import Testing
import TestSupport

/// `FileContents` replaces `FileManager.contents(atPath:)`, which leaks on empty files (see its
/// doc comment); the leak itself is caught by `Tests/Sanitizers/run.sh address`. Here: it reads
/// what the Foundation call read, with the same nil for a file that cannot be read.
@Suite(.watchdog) struct FileContentsTests {
    @Test func readsEmptyAndNonEmptyFilesAndNilForWhatCannotBeRead() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("file-contents-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let empty = directory.appendingPathComponent("empty").path
        let full = directory.appendingPathComponent("full").path
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        let bytes = Data((0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        #expect(FileManager.default.createFile(atPath: full, contents: bytes))

        #expect(FileContents.read(atPath: empty) == Data())
        #expect(FileContents.read(atPath: full) == bytes)
        #expect(FileContents.read(atPath: directory.appendingPathComponent("missing").path) == nil)
        #expect(FileContents.read(atPath: directory.path) == nil, "a folder is not a file")
    }

    /// The engine reads cache entries and state files over and over: none of its reads may go
    /// back to the leaking calls (an empty file is an ordinary cache blob).
    @Test func theEngineReadsFilesOnlyThroughFileContents() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/CyberneticEngine")
        let files = try #require(FileManager.default.enumerator(atPath: root.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") && !$0.hasSuffix("FileContents.swift") }
        #expect(files.count > 20, "found the engine's sources at \(root.path)")
        for file in files {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            for call in [".contents(atPath:", "Data(contentsOf:"] {
                #expect(!text.contains(call), "\(file) reads a file with \(call)...): use FileContents.read(atPath:)")
            }
        }
    }
}
