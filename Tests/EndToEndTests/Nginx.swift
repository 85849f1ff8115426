import CyberneticEngine
import Foundation
import Synchronization
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A real nginx serving WebDAV on a free loopback port: started by the test as a child process
/// (no daemon, one process), with its configuration, pid file, logs, temp paths and document
/// root in one temporary folder. The remote cache lives under `/cache/`; with `token` set, a
/// request without `Authorization: Bearer <token>` gets 401.
final class Nginx: Sendable {
    let folder: URL
    let port: UInt16
    let token: String?
    private let running = Mutex<Task<CommandResult, Never>?>(nil)

    var documentRoot: URL { folder.appendingPathComponent("www") }
    var cacheRoot: URL { documentRoot.appendingPathComponent("cache") }
    var url: String { "http://127.0.0.1:\(port)/cache" }
    var accessLog: String { (try? String(contentsOf: folder.appendingPathComponent("access.log"), encoding: .utf8)) ?? "" }

    /// nginx from Debian's package (`.ci/run` installs it). Not finding it is a failure, never a
    /// silent pass: the remote tier would go untested.
    static func binary() throws -> String {
        for candidate in [ExecutableLookup.find("nginx"), "/usr/sbin/nginx"].compactMap({ $0 })
            where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw NginxError("nginx is not installed: the remote cache tests need it (apt-get install -y nginx; .ci/run does this)")
    }

    private init(folder: URL, port: UInt16, token: String?) {
        self.folder = folder
        self.port = port
        self.token = token
    }

    static func start(token: String? = nil) async throws -> Nginx {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cybernetic-nginx-\(UUID().uuidString)")
        let server = Nginx(folder: folder, port: try freePort(), token: token)
        try server.writeConfiguration()
        try await server.launch()
        return server
    }

    private func writeConfiguration() throws {
        for dir in ["www", "tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"] {
            let url = folder.appendingPathComponent(dir)
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            // Whoever nginx writes as (root, or a worker user) must be able to write here.
            chmod(url.path, 0o777)
        }
        let path = folder.path
        let auth = token.map { "if ($http_authorization != \"Bearer \($0)\") { return 401; }" } ?? ""
        let text = """
        daemon off;
        master_process off;
        \(geteuid() == 0 ? "user root;" : "")
        pid \(path)/nginx.pid;
        error_log \(path)/error.log warn;
        events { worker_connections 256; }
        http {
            access_log \(path)/access.log;
            client_body_temp_path \(path)/tmp/body;
            proxy_temp_path \(path)/tmp/proxy;
            fastcgi_temp_path \(path)/tmp/fastcgi;
            uwsgi_temp_path \(path)/tmp/uwsgi;
            scgi_temp_path \(path)/tmp/scgi;
            client_max_body_size 0;
            server {
                listen 127.0.0.1:\(port);
                root \(path)/www;
                location /cache/ {
                    \(auth)
                    dav_methods PUT DELETE;
                    create_full_put_path on;
                    dav_access user:rw group:r all:r;
                }
            }
        }
        """
        try text.write(to: folder.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
    }

    /// Starts nginx and waits until its port accepts connections (at most 60 s, times `Sanitized.timeScale`).
    func launch() async throws {
        let argv = [try Self.binary(), "-p", folder.path, "-c", folder.appendingPathComponent("nginx.conf").path,
                    "-e", folder.appendingPathComponent("error.log").path]
        let exited = Exited()
        let task = Task {
            let result = await CommandRunner.run(CommandRequest(argv: argv, timeout: .seconds(3600)))
            exited.set(result)
            return result
        }
        running.withLock { $0 = task }
        // Generous: a loaded two-core machine can take seconds to start a process, and a sanitized
        // test process far longer (seen: over 60 s in the AddressSanitizer run).
        let limit = Sanitized.scaled(.seconds(60))
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline, exited.result == nil {
            if Self.accepts(port: port) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        await stop()
        let log = (try? String(contentsOf: folder.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
        let how = exited.result.map { "it exited (\($0.outcome.summary)): \(String(decoding: $0.stderr.bytes, as: UTF8.self))" }
            ?? "not listening after \(limit)"
        throw NginxError("nginx did not start on port \(port): \(how) \(log)")
    }

    /// Ends nginx (SIGTERM to its process group, then SIGKILL) and waits until it is gone.
    func stop() async {
        guard let task = running.withLock({ state in defer { state = nil }; return state }) else { return }
        task.cancel()
        _ = await task.value
    }

    /// Every file under the document root, relative paths.
    func storedFiles() -> [String] {
        let enumerator = FileManager.default.enumerator(at: documentRoot, includingPropertiesForKeys: [.isRegularFileKey])
        var files: [String] = []
        while let url = enumerator?.nextObject() as? URL {
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                files.append(String(url.path.dropFirst(documentRoot.path.count + 1)))
            }
        }
        return files.sorted()
    }

    static func accepts(port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        return address
    }

    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw NginxError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw NginxError("bind: \(String(cString: strerror(errno)))") }
        return UInt16(bigEndian: address.sin_port)
    }
}

/// How the nginx process ended, once it has.
private final class Exited: Sendable {
    private let value = Mutex<CommandResult?>(nil)
    func set(_ result: CommandResult) { value.withLock { $0 = result } }
    var result: CommandResult? { value.withLock { $0 } }
}

struct NginxError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
