import Foundation

/// What a cache hit replays: the exit code and the exact bytes of stdout and stderr.
public struct CachedResult: Sendable, Equatable {
    public var exitCode: Int32
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    public var createdAt: Date
    /// How long the command took when it really ran, to tell the user what the hit saved.
    public var originalDurationMs: Int64

    public init(exitCode: Int32, stdout: [UInt8], stderr: [UInt8], createdAt: Date = Date(), originalDurationMs: Int64 = 0) {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
        self.createdAt = createdAt
        self.originalDurationMs = originalDurationMs
    }

    public var byteCount: Int { stdout.count + stderr.count }
}

/// Which tier answered, or that the command really ran.
public enum CacheTier: String, Sendable, Codable, CaseIterable {
    case memory, disk, remote
}
