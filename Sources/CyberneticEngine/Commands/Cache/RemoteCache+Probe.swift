import Foundation

extension RemoteCache {
    /// Start-up check: the server answers and, in read-write mode, stores and returns a small
    /// blob intact. Returns a note for the Startup pane and whether the tier is usable.
    func probe() async -> (ok: Bool, note: String) {
        let content = Data("cybernetic remote cache probe\n".utf8)
        let path = "cas/\(DiskCache.digest(content))"
        let tokenNote = tokenMissing ? " (\(tokenVariable ?? "") is not set: no token sent)" : ""
        if mode == .readWrite {
            switch await http.put(path, content, retrying: false) {
            case .ok: break
            case .refused(let status): return (false, "remote cache \(endpoint) refused a write (HTTP \(status))\(authHint(status))\(tokenNote)")
            case .notFound: return (false, "remote cache \(endpoint) does not accept PUT (HTTP 404)")
            case .failed(let reason): return unreachable(reason)
            case .skipped: return (false, "remote cache \(endpoint) skipped: circuit open")
            }
        }
        // Read-only: HEAD, which a cache server answers 200 or 404 without sending anything.
        let reply = mode == .readWrite ? await http.get(path, retrying: false) : await http.head(path, retrying: false)
        switch reply {
        case .ok(let data) where mode == .readWrite:
            guard data == content else { return (false, "remote cache \(endpoint) returned a different probe blob than it stored") }
            return (true, "remote cache \(endpoint) reachable and writable\(tokenNote)")
        case .ok, .notFound:
            return (true, "remote cache \(endpoint) reachable (\(mode == .read ? "read-only" : "read-write"))\(tokenNote)")
        case .refused(let status): return (false, "remote cache \(endpoint) refused a read (HTTP \(status))\(authHint(status))\(tokenNote)")
        case .failed(let reason): return unreachable(reason)
        case .skipped: return (false, "remote cache \(endpoint) skipped: circuit open")
        }
    }

    /// A server that fails its start-up check is skipped from the first lookup on, instead of
    /// costing every task a timeout until the breaker has counted enough failures itself.
    private func unreachable(_ reason: String) -> (ok: Bool, note: String) {
        breaker.trip()
        return (false, "remote cache \(endpoint) unreachable: \(reason)")
    }
}
