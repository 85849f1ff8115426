import Foundation
import Synchronization

/// The shared tier, over the Bazel HTTP cache protocol: `GET`/`PUT` of `<prefix>/ac/<key>` for
/// action results and `<prefix>/cas/<sha256>` for output blobs, so nginx's WebDAV module or
/// bazel-remote can serve it.
///
/// Nothing from the server is trusted: an action result must carry its checksum and refer to
/// well-formed digests, every blob must hash to its digest and size before it is used. Anything
/// that fails is a miss, counted and reported, never served. A down or slow server costs at most
/// a few timeouts, then the circuit breaker skips the tier until a trial request succeeds.
final class RemoteCache: Sendable {
    enum Lookup: Sendable {
        case hit(CachedResult)
        case miss
        case expired
        case rejected(String)
        case unavailable
    }

    let mode: RemoteMode
    /// The URL without user information, for the panes, events and reports.
    let endpoint: String
    let tokenVariable: String?
    let tokenMissing: Bool
    let breaker: CircuitBreaker
    let http: RemoteHTTP
    private let ttl: Duration
    private let maxBlobBytes: Int
    private let maxOutputsBytes: Int
    let state: RemoteCacheCounters
    /// Uploads waiting or in flight; past this, new ones are dropped (counted), so a slow server
    /// cannot make queued results pile up in memory.
    static let maxPendingWrites = 64

    init?(settings: CacheSettings, environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let remote = settings.remote, settings.remoteMode != .off, let url = URL(string: remote) else { return nil }
        mode = settings.remoteMode
        let endpoint = Self.redacted(url)
        self.endpoint = endpoint
        tokenVariable = settings.remoteTokenEnv
        let token = settings.remoteTokenEnv.flatMap { environment[$0] }.flatMap { $0.isEmpty ? nil : $0 }
        tokenMissing = settings.remoteTokenEnv != nil && token == nil
        ttl = settings.ttl
        maxBlobBytes = settings.maxOutputBytes
        maxOutputsBytes = settings.maxOutputsBytes
        let breaker = CircuitBreaker(failureThreshold: 3, coolDown: settings.remoteCoolDown)
        self.breaker = breaker
        let state = RemoteCacheCounters()
        self.state = state
        http = RemoteHTTP(base: url, token: token, timeout: settings.remoteTimeout, breaker: breaker) { observation in
            state.withLock { s in
                switch observation {
                case .transferred(let up, let down):
                    s.stats.bytesUp += up
                    s.stats.bytesDown += down
                case .attemptFailed:
                    s.stats.errors += 1
                case .circuit(.open):
                    s.notices.append(CacheNotice(level: .warning, message: "remote cache \(endpoint) is failing: circuit open, using local tiers only until a trial request succeeds"))
                case .circuit(.closed):
                    s.notices.append(CacheNotice(level: .info, message: "remote cache \(endpoint) answers again: circuit closed"))
                case .circuit(.halfOpen):
                    break
                }
            }
        }
    }

    /// `http://user:secret@host/x` → `http://host/x`: credentials never reach the screen or a report.
    static func redacted(_ url: URL) -> String {
        guard var parts = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "remote" }
        parts.user = nil
        parts.password = nil
        parts.query = nil
        return parts.string ?? "remote"
    }

    func lookup(_ key: String, now: Date = Date(), pool: MemoryPool? = nil) async -> Lookup {
        let outcome = await fetch(key, now: now, pool: pool)
        state.withLock { s in
            switch outcome {
            case .hit:
                s.stats.hits += 1
            case .miss:
                s.stats.misses += 1
            case .expired:
                s.stats.misses += 1
                s.stats.expirations += 1
            case .rejected(let reason):
                s.stats.misses += 1
                s.stats.discarded += 1
                s.notices.append(CacheNotice(level: .warning, message: "remote cache: \(reason); discarded, not served"))
            case .unavailable:
                s.stats.skipped += 1
            }
        }
        return outcome
    }

    private func fetch(_ key: String, now: Date, pool: MemoryPool?) async -> Lookup {
        let action: Data
        switch await http.get("ac/\(key)") {
        case .ok(let data): action = data
        case .notFound: return .miss
        case .refused(let status):
            warnOnce("GET \(status)", "remote cache \(endpoint) refused a read (HTTP \(status))" + authHint(status))
            return .miss
        case .failed, .skipped: return .unavailable
        }
        guard let entry = DiskCache.decodeAction(action) else {
            return .rejected("action result \(key.prefix(12)) is malformed or fails its checksum")
        }
        guard Self.isDigest(entry.stdout.digest), Self.isDigest(entry.stderr.digest),
              (0...maxBlobBytes).contains(entry.stdout.size), (0...maxBlobBytes).contains(entry.stderr.size) else {
            return .rejected("action result \(key.prefix(12)) refers to malformed blobs")
        }
        let references = entry.outputs ?? []
        guard references.allSatisfy({ $0.digest.map(Self.isDigest) ?? true }),
              references.reduce(0, { $0 + max($1.size, 0) }) <= maxOutputsBytes else {
            return .rejected("action result \(key.prefix(12)) refers to malformed or oversized outputs")
        }
        if now.timeIntervalSince(entry.createdAt) >= ttl.seconds { return .expired }
        var blobs: [[UInt8]] = []
        for blob in [entry.stdout, entry.stderr] {
            switch await fetchBlob(blob) {
            case .success(let bytes): blobs.append(bytes)
            case .failure(let failure):
                switch failure {
                case .missing: return .miss
                case .unavailable: return .unavailable
                case .mismatch(let reason): return .rejected("blob \(blob.digest.prefix(12)) of \(key.prefix(12)) \(reason)")
                }
            }
        }
        var outputs: [CachedOutput] = []
        for reference in references {
            var content: [UInt8] = []
            if let digest = reference.digest {
                switch await fetchBlob(DiskCache.Blob(digest: digest, size: reference.size)) {
                case .success(let bytes): content = bytes
                case .failure(.missing): return .miss
                case .failure(.unavailable): return .unavailable
                case .failure(.mismatch(let reason)):
                    return .rejected("output blob \(digest.prefix(12)) of \(key.prefix(12)) \(reason)")
                }
            }
            guard let output = reference.output(content: content, pool: pool) else {
                return .rejected("action result \(key.prefix(12)) names an unsafe output '\(SafeText.line(reference.path))'")
            }
            outputs.append(output)
        }
        return .hit(CachedResult(exitCode: entry.exitCode, stdout: blobs[0], stderr: blobs[1], createdAt: entry.createdAt,
                                 originalDurationMs: entry.originalDurationMs, outputs: outputs, pool: pool))
    }

    private enum BlobFailure: Error { case missing, unavailable, mismatch(String) }

    /// Verified against its digest and size before anyone sees a byte of it.
    private func fetchBlob(_ blob: DiskCache.Blob) async -> Result<[UInt8], BlobFailure> {
        if blob.size == 0 && blob.digest == Self.emptyDigest { return .success([]) }
        switch await http.get("cas/\(blob.digest)") {
        case .ok(let data):
            guard data.count == blob.size else { return .failure(.mismatch("has \(data.count) bytes, expected \(blob.size)")) }
            guard DiskCache.digest(data) == blob.digest else { return .failure(.mismatch("does not match its SHA-256")) }
            return .success([UInt8](data))
        case .notFound, .refused: return .failure(.missing)
        case .failed, .skipped: return .failure(.unavailable)
        }
    }

    /// Blobs first, then the action result that refers to them, so a reader never finds an
    /// action whose blobs are not there yet. Read-only mode never gets here.
    func store(_ key: String, _ result: CachedResult) async {
        guard mode == .readWrite else { return }
        var refs: [DiskCache.Blob] = []
        for bytes in [result.stdout, result.stderr] {
            let blob = DiskCache.Blob(digest: DiskCache.digest(bytes), size: bytes.count)
            if !bytes.isEmpty {
                guard await upload("cas/\(blob.digest)", Data(bytes)) else { return }
            }
            refs.append(blob)
        }
        for output in result.outputs {
            guard case .file(let digest, _) = output.kind, output.size > 0 else { continue }
            guard await upload("cas/\(digest)", Data(output.content.bytes)) else { return }
        }
        let entry = DiskCache.Entry(exitCode: result.exitCode, stdout: refs[0], stderr: refs[1],
                                    createdAt: result.createdAt, originalDurationMs: result.originalDurationMs,
                                    outputs: result.outputs.isEmpty ? nil : result.outputs.map(OutputReference.init))
        guard let body = try? DiskCache.encodeAction(entry) else { return }
        if await upload("ac/\(key)", body) {
            state.withLock { $0.stats.entries += 1 }
        }
    }

    /// Blobs this large are asked for first (`HEAD`): another machine has often sent the same
    /// output already, and a round trip is cheaper than the upload.
    static let headBeforeUpload = 64 * 1024

    private func upload(_ path: String, _ body: Data) async -> Bool {
        if body.count >= Self.headBeforeUpload, path.hasPrefix("cas/"), case .ok = await http.head(path) { return true }
        switch await http.put(path, body) {
        case .ok: return true
        case .refused(let status):
            warnOnce("PUT \(status)", "remote cache \(endpoint) refused a write (HTTP \(status))" + authHint(status))
            return false
        case .notFound:
            warnOnce("PUT 404", "remote cache \(endpoint) answered 404 to a write: does the server accept PUT (nginx: dav_methods PUT)?")
            return false
        case .failed, .skipped: return false
        }
    }

    /// Reserves a slot for a background upload; false when too many are pending (then counted as dropped).
    func beginWrite() -> Bool {
        state.withLock { s in
            guard s.pendingWrites < Self.maxPendingWrites else {
                s.stats.dropped += 1
                return false
            }
            s.pendingWrites += 1
            return true
        }
    }

    func endWrite() {
        state.withLock { $0.pendingWrites -= 1 }
    }

    var pendingWrites: Int { state.withLock { $0.pendingWrites } }

    func stats() -> CacheTierStats {
        let circuit = breaker.currentState
        return state.withLock { s in
            var stats = s.stats
            stats.circuit = circuit
            stats.mode = mode.rawValue
            return stats
        }
    }

    func drainNotices() -> [CacheNotice] {
        state.withLock { s in
            defer { s.notices.removeAll() }
            return s.notices
        }
    }

    private func warnOnce(_ kind: String, _ message: String) {
        state.withLock { s in
            guard s.warned.insert(kind).inserted else { return }
            s.notices.append(CacheNotice(level: .warning, message: message))
        }
    }

    func authHint(_ status: Int) -> String {
        guard status == 401 || status == 403 else { return "" }
        return tokenVariable.map { ": check the token in \($0)" } ?? ": the server may want a token (cache.remote_token_env)"
    }

    static let emptyDigest = DiskCache.digest(Data())

    static func isDigest(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
