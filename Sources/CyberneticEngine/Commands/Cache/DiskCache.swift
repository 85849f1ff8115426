import Crypto
import Foundation
import Synchronization

/// The persistent tier, in Bazel's disk-cache layout: `ac/<key>` holds an action result that
/// names its output blobs, `cas/<sha256>` holds each blob under the digest of its content.
///
/// Every write goes to a temporary file, is fsync'd and renamed into place, so a reader sees a
/// whole entry or none, whatever happens mid-write. Every read is verified: an action result
/// carries a checksum of its own body, a blob must hash to its name. Anything that does not
/// verify is deleted and reported as a miss: a corrupt entry is never served.
///
/// It keeps its own count of entries and bytes, changed by every write and delete it makes, so
/// keeping under `maxBytes` costs a listing of the folder only when the count says it is over (a
/// listing is a stat per file: done after every store, it made each store O(entries)).
final class DiskCache: Sendable {
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

    /// Action results in `ac/` and bytes in `ac/` and `cas/`.
    struct Usage: Sendable, Equatable {
        var entries = 0
        var bytes = 0
    }

    let root: URL
    let ttl: Duration
    let maxBytes: Int
    private let counted = Mutex(Usage())

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
        let drop = { self.discard(path, bytes: data.count, entry: true) }
        guard let entry = Self.decodeAction(data) else {
            drop()
            return .corrupt("action result \(key.prefix(12)) fails its checksum")
        }
        if now.timeIntervalSince(entry.createdAt) >= ttl.seconds {
            drop()
            return .expired
        }
        guard let stdout = readBlob(entry.stdout), let stderr = readBlob(entry.stderr) else {
            drop()
            return .corrupt("a blob of \(key.prefix(12)) is missing or fails its digest")
        }
        var outputs: [CachedOutput] = []
        for reference in entry.outputs ?? [] {
            let name = SafeText.line(reference.path)
            guard let content = reference.digest.map({ readBlob(Blob(digest: $0, size: reference.size)) }) ?? [] else {
                drop()
                return .corrupt("the blob of output '\(name)' of \(key.prefix(12)) is missing or fails its digest")
            }
            guard let output = reference.output(content: content, pool: pool) else {
                drop()
                return .corrupt("action result \(key.prefix(12)) names an unsafe output '\(name)'")
            }
            outputs.append(output)
        }
        touch(path)
        return .hit(CachedResult(exitCode: entry.exitCode, stdout: stdout, stderr: stderr, createdAt: entry.createdAt,
                                 originalDurationMs: entry.originalDurationMs, outputs: outputs, pool: pool))
    }

    /// Writes the blobs, then the action result that refers to them, each atomically; then, if
    /// the folder is over `maxBytes`, removes the least recently used files. Returns how many
    /// entries that evicted.
    @discardableResult
    func store(_ key: String, _ result: CachedResult) throws -> Int {
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
        let replaced = Self.size(of: path)
        let action = try Self.encodeAction(entry)
        try atomicWrite(action, to: path)
        let over = counted.withLock { usage in
            usage.bytes += bytes + action.count - (replaced ?? 0)
            if replaced == nil { usage.entries += 1 }
            return usage.bytes > maxBytes
        }
        return over ? enforceLimit() : 0
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
            // Two stores of the same new blob at once both count it: an upper bound, made exact
            // by the next listing.
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
            discard(path, bytes: data.count, entry: false)
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

    private func discard(_ path: URL, bytes: Int, entry: Bool) {
        guard unlink(path.path) == 0 else { return }
        counted.withLock { usage in
            usage.bytes = max(0, usage.bytes - bytes)
            if entry { usage.entries = max(0, usage.entries - 1) }
        }
    }

    private static func size(of path: URL) -> Int? {
        var info = stat()
        return stat(path.path, &info) == 0 ? Int(info.st_size) : nil
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
                discard(path, bytes: Self.size(of: path) ?? 0, entry: true)
                removed += 1
                continue
            }
        }
        return removed
    }

    /// Entries and bytes as counted since the last listing.
    var usage: Usage { counted.withLock { $0 } }

    /// Lists the folder, evicts the least recently used entries until it fits `maxBytes`, and
    /// resets the count to what is there. Returns how many entries it evicted.
    ///
    /// An entry goes whole: its action result with the blobs no later use has touched (a blob an
    /// entry stored or read since is newer and stays). Evicting file by file, the oldest first,
    /// took an entry's blob and left its action result naming it, which the next lookup then
    /// reported as damage.
    @discardableResult
    func enforceLimit() -> Int {
        var files: [String: (size: Int, used: Date)] = [:]
        var actionNames: [String] = []
        for (dir, isAction) in [(actions, true), (blobs, false)] {
            let urls = (try? FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: [.fileSizeKey, .contentModificationDateKey])) ?? []
            for url in urls {
                let values = try? url.resourceValues(forKeys: [.fileSizeKey, .contentModificationDateKey])
                files[url.path] = (values?.fileSize ?? 0, values?.contentModificationDate ?? .distantPast)
                if isAction { actionNames.append(url.path) }
            }
        }
        var total = files.values.reduce(0) { $0 + $1.size }
        var entries = actionNames.count
        var evicted = 0
        func remove(_ path: String) {
            guard let file = files.removeValue(forKey: path), unlink(path) == 0 else { return }
            total -= file.size
        }
        if total > maxBytes {
            for path in actionNames.sorted(by: { files[$0]!.used < files[$1]!.used }) where total > maxBytes {
                let used = files[path]!.used
                let entry = FileContents.read(atPath: path).flatMap(Self.decodeAction)
                remove(path)
                evicted += 1
                entries -= 1
                let digests = entry.map { [$0.stdout.digest, $0.stderr.digest] + ($0.outputs ?? []).compactMap(\.digest) } ?? []
                for digest in Set(digests) {
                    let blob = blobs.appendingPathComponent(digest).path
                    if let file = files[blob], file.used <= used { remove(blob) }
                }
            }
            // Blobs no entry names any more (their entry was deleted as damaged), oldest first.
            for path in files.keys.sorted(by: { files[$0]!.used < files[$1]!.used }) where total > maxBytes {
                remove(path)
            }
        }
        counted.withLock { $0 = Usage(entries: entries, bytes: total) }
        return evicted
    }
}

enum CacheError: Error, CustomStringConvertible {
    case io(String)
    var description: String {
        switch self { case .io(let message): message }
    }
}
