import Crypto
import Foundation

/// Everything that decides a command's result, hashed into one SHA-256 key, so an entry can
/// never answer for a different command, directory, environment or input content.
///
/// Parts, each length-prefixed so no two different lists of parts hash alike: the argv; the
/// resolved executable's path, size and modification time (a rebuilt tool is a new key); the
/// working directory; the declared environment variables and a fixed allowlist, with their
/// values; the path and SHA-256 of every file the input globs match; and, when a task declares
/// no inputs, a fingerprint of the working tree (see `WorkingTreeFingerprint`).
public struct CacheKey: Sendable, Equatable, CustomStringConvertible {
    public let digest: String
    public var description: String { digest }

    public init(digest: String) { self.digest = digest }

    /// Variables that change what most tools do, always part of the key.
    public static let environmentAllowlist = ["PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "NODE_ENV",
                                              "NODE_OPTIONS", "PYTHONPATH", "CI"]

    public struct Inputs: Sendable {
        public var argv: [String]
        public var workingDirectory: String
        /// Declared variable names; the value comes from `overrides` or else the environment.
        public var declaredEnvironment: [String]
        public var overrides: [String: String?]
        public var inputGlobs: [String]
        /// Part of the key (an entry must carry the outputs asked for), and left out of the
        /// working-tree fingerprint.
        public var outputGlobs: [String]
        /// Folders Cybernetic itself writes (the disk cache, `.cybernetic/`), left out of the
        /// working-tree fingerprint: storing a result must not change the next run's key.
        public var ownFolders: [String]

        public init(argv: [String], workingDirectory: String, declaredEnvironment: [String] = [],
                    overrides: [String: String?] = [:], inputGlobs: [String] = [], outputGlobs: [String] = [],
                    ownFolders: [String] = []) {
            self.outputGlobs = outputGlobs
            self.ownFolders = ownFolders
            self.argv = argv
            self.workingDirectory = workingDirectory
            self.declaredEnvironment = declaredEnvironment
            self.overrides = overrides
            self.inputGlobs = inputGlobs
        }
    }

    public static func compute(_ inputs: Inputs, environment: [String: String] = ProcessInfo.processInfo.environment) async -> CacheKey {
        var hasher = SHA256()
        func add(_ label: String, _ value: String) {
            for part in [label, value] {
                let bytes = Array(part.utf8)
                withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { hasher.update(bufferPointer: $0) }
                hasher.update(data: bytes)
            }
        }
        add("format", "cybernetic-key-1")
        for argument in inputs.argv { add("arg", argument) }
        if let program = inputs.argv.first {
            add("exe", executableIdentity(program, workingDirectory: inputs.workingDirectory))
        }
        add("cwd", URL(fileURLWithPath: inputs.workingDirectory).standardizedFileURL.path)
        let names = Set(environmentAllowlist + inputs.declaredEnvironment + inputs.overrides.keys).sorted()
        for name in names {
            let value: String? = if let override = inputs.overrides[name] { override } else { environment[name] }
            add("env", value.map { "\(name)=\($0)" } ?? "\(name) unset")
        }
        for pattern in inputs.outputGlobs.sorted() { add("outputs", pattern) }
        if inputs.inputGlobs.isEmpty {
            let tree = await WorkingTreeFingerprint.compute(in: inputs.workingDirectory)
            let root = (realPath(inputs.workingDirectory) ?? inputs.workingDirectory) + "/"
            let own = (inputs.ownFolders + [root + ".cybernetic"]).map { (realPath($0) ?? $0) + "/" }
            add("tree", tree?.fingerprint { path in
                own.contains { path.hasPrefix($0) }
                    || path.hasPrefix(root) && inputs.outputGlobs.contains { Glob.matches($0, String(path.dropFirst(root.count))) }
            } ?? "no-git")
        } else {
            for pattern in inputs.inputGlobs.sorted() {
                let matches = Glob.expand(pattern, in: inputs.workingDirectory)
                add("glob", "\(pattern) \(matches.count)")
                for path in matches {
                    let absolute = path.hasPrefix("/") ? path : inputs.workingDirectory + "/" + path
                    add("input", "\(path) \(fileDigest(absolute))")
                }
            }
        }
        return CacheKey(digest: hasher.finalize().map { String(format: "%02x", $0) }.joined())
    }

    /// Path, size and modification time of the program that would run.
    static func executableIdentity(_ program: String, workingDirectory: String) -> String {
        let resolved = program.hasPrefix("/") ? program
            : program.contains("/") ? URL(fileURLWithPath: program, relativeTo: URL(fileURLWithPath: workingDirectory)).path
            : ExecutableLookup.cached(program) ?? program
        var info = stat()
        guard stat(resolved, &info) == 0 else { return "\(resolved) missing" }
        return "\(resolved) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }

    static func fileDigest(_ path: String) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "unreadable" }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
