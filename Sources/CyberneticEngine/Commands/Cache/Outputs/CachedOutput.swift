import Foundation

/// One file a cached command wrote (Turborepo's `outputs`, Bazel's output files): where it goes,
/// relative to the working directory, and what it is.
public struct CachedOutput: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// `mode` is the permission bits (`& 0o777`), so a restored file has the fresh run's mode.
        case file(digest: String, mode: UInt32)
        /// A symbolic link, kept as a link; its target stays inside the working directory.
        case symlink(target: String)
    }

    public var path: String
    public var kind: Kind
    /// The file's bytes (empty for a link): pooled or heap, like stdout and stderr.
    public var content: HeldBytes

    public init(path: String, kind: Kind, content: HeldBytes) {
        self.path = path
        self.kind = kind
        self.content = content
    }

    public var size: Int { content.count }

    public static func == (a: CachedOutput, b: CachedOutput) -> Bool {
        a.path == b.path && a.kind == b.kind && a.content.bytes == b.content.bytes
    }
}

/// How an output is named in an action result on disk or on the remote server; its bytes are a
/// blob in `cas/` under `digest`.
struct OutputReference: Codable, Equatable {
    var path: String
    var digest: String?
    var size: Int
    var mode: UInt32?
    var symlink: String?

    init(_ output: CachedOutput) {
        path = output.path
        size = output.size
        switch output.kind {
        case .file(let digest, let mode):
            self.digest = digest
            self.mode = mode
        case .symlink(let target):
            symlink = target
        }
    }

    /// The output with `content` (already verified against `digest`); nil when the reference is
    /// malformed or its path or link target is unsafe.
    func output(content: [UInt8], pool: MemoryPool?) -> CachedOutput? {
        guard OutputPath.problem(with: path) == nil else { return nil }
        if let symlink {
            guard digest == nil, OutputPath.linkProblem(path: path, target: symlink) == nil else { return nil }
            return CachedOutput(path: path, kind: .symlink(target: symlink), content: .heap([]))
        }
        guard let digest, let mode, mode & ~0o777 == 0 else { return nil }
        return CachedOutput(path: path, kind: .file(digest: digest, mode: mode), content: HeldBytes(content, pool: pool))
    }
}

/// What restoring a hit's outputs did, for the panes, the report and `exec --stats`.
public struct RestoredOutputs: Sendable, Equatable {
    public var files = 0
    public var bytes = 0
    /// Already on disk with the same content and mode: left alone.
    public var unchanged = 0
    public init() {}
}
