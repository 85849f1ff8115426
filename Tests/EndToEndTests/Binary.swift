import Foundation
import TestSupport

/// Runs the real `cybernetic` executable that `swift build` / `swift test` put next to the test bundle.
enum Binary {
    static var path: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // On Linux the test bundle is an executable in the products directory; walk up if nested.
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("cybernetic").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir.deleteLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/cybernetic").path
    }

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The exit code, or the number of the signal that ended the process (as Foundation reports it).
    static func foundationStyle(_ status: Int32) -> Int32 {
        (status & 0x7F) == 0 ? (status >> 8) & 0xFF : status & 0x7F
    }

    struct Result {
        var code: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the binary to completion with stdout and stderr in files (never a full pipe), stdin closed.
    /// Async, so that waiting for a long run does not hold a thread of the concurrency pool that
    /// every other test needs (see `Spawned.exit(timeout:)`).
    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
                    stdoutToNull: Bool = false, timeout: Duration = .seconds(600)) async throws -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("cybernetic-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("out"), err = scratch.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = try Spawned([path] + arguments, directory: (directory ?? packageRoot).path,
                                  environment: environment,
                                  stdout: stdoutToNull ? "/dev/null" : out.path, stderr: err.path)
        let status = try await process.exit(timeout: timeout)
        return Result(code: Binary.foundationStyle(status),
                      stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }
}

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("cybernetic-e2e-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
