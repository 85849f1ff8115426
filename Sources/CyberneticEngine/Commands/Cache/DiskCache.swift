import Crypto
import Foundation

/// The persistent tier, in Bazel's disk-cache layout: `ac/<key>` holds an action result that
/// names its output blobs, `cas/<sha256>` holds each blob under the digest of its content.
///
/// Every write goes to a temporary file, is fsync'd and renamed into place, so a reader sees a
/// whole entry or none, whatever happens mid-write. Every read is verified: an action result
/// carries a checksum of its own body, a blob must hash to its name. Anything that does not
/// verify is deleted and reported as a miss: a corrupt entry is never served.
struct DiskCache: Sendable {
    struct Entry: Codable {
        var version = 1
        var exitCode: Int32
        var stdout: Blob
        var stderr: Blob
        var createdAt: Date
        var originalDurationMs: Int64
        /// Absent in entries written before outputs were cached: read as none.
        var outputs: [OutputReference]? = nil
    }

    struct Blob: Codable {
        var digest: String
        var size: Int
    }

    enum Lookup {
        case hit(CachedResult)
        case miss
        case expired
        case corrupt(String)
    }

    let root: URL
    let ttl: Duration
    let maxBytes: Int

    private var actions: URL { root.appendingPathComponent("ac") }
    private var blobs: URL { root.appendingPathComponent("cas") }
    private var scratch: URL { root.appendingPathComponent("tmp") }

    init(root: URL, ttl: Duration, maxBytes: Int) {
        self.root = root
        self.ttl = ttl
        self.maxBytes = maxBytes
    }

    /// Creates the folders private to the user (0700, as every folder Cybernetic creates) and
    /// refuses a root that someone else could write into: checksums catch damage, not a forger.
    func prepare() throws {
        try PrivateDirectory.create(root.path)
        try PrivateDirectory.checkNotShared(root.path)
        for dir in [actions, blobs, scratch] { try PrivateDirectory.create(dir.path) }
    }

    static func digest(_ bytes: some DataProtocol) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    func lookup(_ key: String, now: Date = Date(), pool: MemoryPool? = nil) -> Lookup {
        let path = actions.appendingPathComponent(key)
        guard let data = FileContents.read(atPath: path.path) else { return .miss }
        guard let entry = Self.decodeAction(data) else {
            discard(path)
            return .corrupt("action result \(key.prefix(12)) fails its checksum")
        }
        if now.timeIntervalSince(entry.createdAt) >= ttl.seconds {
            discard(path)
            return .expired
        }
        guard let stdout = readBlob(entry.stdout), let stderr = readBlob(entry.stderr) else {
            discard(path)
            return .corrupt("a blob of \(key.prefix(12)) is missing or fails its digest")
        }
        var outputs: [CachedOutput] = []
        for reference in entry.outputs ?? [] {
            let name = SafeText.line(reference.path)
            guard let content = reference.digest.map({ readBlob(Blob(digest: $0, size: reference.size)) }) ?? [] else {
                discard(path)
                return .corrupt("the blob of output '\(name)' of \(key.prefix(12)) is missing or fails its digest")
            }
            guard let output = reference.output(content: content, pool: pool) else {
                discard(path)
                return .corrupt("action result \(key.prefix(12)) names an unsafe output '\(name)'")
            }
            outputs.append(output)
        }
        touch(path)
        return .hit(CachedResult(exitCode: entry.exitCode, stdout: stdout, stderr: stderr, createdAt: entry.createdAt,
                                 originalDurationMs: entry.originalDurationMs, outputs: outputs, pool: pool))
    }

    /// What a store added to the folder: the bytes of the files it wrote (blobs already there cost
    /// nothing) and whether the key is new. An upper bound (a replaced action file is counted in
    /// full), so the tier can keep a running total and scan the folder only when it may be over.
    struct Written: Sendable {
        var bytes: Int
        var newEntry: Bool
    }

    /// Writes the blobs, then the action result that refers to them, each atomically.
    @discardableResult
    func store(_ key: String, _ result: CachedResult) throws -> Written {
        try prepare()
        var bytes = 0
        let stdout = try writeBlob(result.stdout, added: &bytes)
        let stderr = try writeBlob(result.stderr, added: &bytes)
        for output in result.outputs {
            if case .file = output.kind { _ = try writeBlob(output.content.bytes, added: &bytes) }
        }
        let entry = Entry(exitCode: result.exitCode, stdout: stdout, stderr: stderr,
                          createdAt: result.createdAt, originalDurationMs: result.originalDurationMs,
                          outputs: result.outputs.isEmpty ? nil : result.outputs.map(OutputReference.init))
        let path = actions.appendingPathComponent(key)
        let newEntry = !FileManager.default.fileExists(atPath: path.path)
        let action = try Self.encodeAction(entry)
        try atomicWrite(action, to: path)
        return Written(bytes: bytes + action.count, newEntry: newEntry)
    }

    /// The header line carries the SHA-256 of the JSON body that follows it.
    static func encodeAction(_ entry: Entry) throws -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        let body = try encoder.encode(entry)
        return Data("cybernetic-ac-1 \(digest(body))\n".utf8) + body
    }

    static func decodeAction(_ data: Data) -> Entry? {
        guard let newline = data.firstIndex(of: 0x0A) else { return nil }
        let header = String(decoding: data[data.startIndex..<newline], as: UTF8.self).split(separator: " ")
        let body = data[data.index(after: newline)...]
        guard header.count == 2, header[0] == "cybernetic-ac-1", header[1] == digest(body) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return try? decoder.decode(Entry.self, from: Data(body))
    }

    private func writeBlob(_ bytes: [UInt8], added: inout Int) throws -> Blob {
        let digest = Self.digest(bytes)
        let path = blobs.appendingPathComponent(digest)
        if !FileManager.default.fileExists(atPath: path.path) {
            try atomicWrite(Data(bytes), to: path)
            added += bytes.count
        } else {
            touch(path)
        }
        return Blob(digest: digest, size: bytes.count)
    }

    private func readBlob(_ blob: Blob) -> [UInt8]? {
        let path = blobs.appendingPathComponent(blob.digest)
        guard let data = FileContents.read(atPath: path.path) else { return nil }
        guard data.count == blob.size, Self.digest(data) == blob.digest else {
            discard(path)
            return nil
        }
        touch(path)
        return [UInt8](data)
    }

    /// Temporary file in the same file system, fsync, rename: all or nothing.
    private func atomicWrite(_ data: Data, to destination: URL) throws {
        let temporary = scratch.appendingPathComponent("\(UUID().uuidString).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CacheError.io("cannot create \(temporary.path): \(String(cString: strerror(errno)))") }
        var failure: String?
        if !data.withUnsafeBytes({ FileDescriptorIO.writeAll(fd, $0) }) { failure = String(cString: strerror(errno)) }
        if failure == nil && fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if let failure {
            unlink(temporary.path)
            throw CacheError.io("cannot write \(destination.lastPathComponent): \(failure)")
        }
        guard rename(temporary.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw CacheError.io("cannot move \(destination.lastPathComponent) into place: \(reason)")
        }
    }

    private func discard(_ path: URL) {
        unlink(path.path)
    }

    private func touch(_ path: URL) {
        utimes(path.path, nil)
    }

    /// Deletes action results whose checksum fails (torn or altered files); returns how many.
    func removeCorruptActions() -> Int {
        var removed = 0
        for name in (try? FileManager.default.contentsOfDirectory(atPath: actions.path)) ?? [] {
            let path = actions.appendingPathComponent(name)
            guard let data = FileContents.read(atPath: path.path), Self.decodeAction(data) != nil else {
                discard(path)
                removed += 1
                continue
            }
        }
        return removed
    }

    /// Entries and bytes on disk, and the least recently used files removed until the cache
    /// fits `maxBytes`. Returns (entries, bytes, evicted).
    @discardableResult
    func enforceLimit() -> (entries: Int, bytes: Int, evicted: Int) {
        var files: [(url: URL, size: Int, used: Date, isAction: Bool)] = []
        for (dir, isAction) in [(actions, true), (blobs, false)] {
            let urls = (try? FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: [.fileSizeKey, .contentModificationDateKey])) ?? []
            for url in urls {
                let values = try? url.resourceValues(forKeys: [.fileSizeKey, .contentModificationDateKey])
                files.append((url, values?.fileSize ?? 0, values?.contentModificationDate ?? .distantPast, isAction))
            }
        }
        var total = files.reduce(0) { $0 + $1.size }
        var evicted = 0
        if total > maxBytes {
            for file in files.sorted(by: { $0.used < $1.used }) where total > maxBytes {
                discard(file.url)
                total -= file.size
                if file.isAction { evicted += 1 }
            }
        }
        let entries = ((try? FileManager.default.contentsOfDirectory(atPath: actions.path)) ?? []).count
        return (entries, total, evicted)
    }
}

enum CacheError: Error, CustomStringConvertible {
    case io(String)
    var description: String {
        switch self { case .io(let message): message }
    }
}
