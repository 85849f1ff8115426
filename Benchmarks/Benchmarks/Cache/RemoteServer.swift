import CyberneticEngine
import Foundation
import Synchronization

/// nginx with WebDAV on a loopback port, for the remote-tier benchmarks: one process, its
/// config, logs and document root in a temporary folder, stopped at teardown.
enum RemoteServer {
    private static let running = Mutex<Task<CommandResult, Never>?>(nil)
    static let port = 18000 + Int(getpid() % 2000)
    static var url: String { "http://127.0.0.1:\(port)/cache" }

    static func start() async throws {
        let folder = directory.appendingPathComponent("nginx")
        for sub in ["www", "tmp"] {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let p = folder.path
        let temps = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map { "\($0)_temp_path \(p)/tmp;" }.joined(separator: " ")
        let conf = "daemon off; master_process off; \(geteuid() == 0 ? "user root;" : "") pid \(p)/pid; error_log \(p)/error.log;"
            + " events {} http { access_log off; client_max_body_size 0; \(temps)"
            + " server { listen 127.0.0.1:\(port); root \(p)/www;"
            + " location /cache/ { dav_methods PUT; create_full_put_path on; } } }"
        try conf.write(toFile: "\(p)/nginx.conf", atomically: true, encoding: .utf8)
        guard let nginx = ExecutableLookup.find("nginx") ?? ["/usr/sbin/nginx"].first(where: FileManager.default.isExecutableFile) else {
            throw BenchmarkSetupError("nginx is not installed (apt-get install -y nginx)")
        }
        let argv = [nginx, "-p", p, "-c", "\(p)/nginx.conf", "-e", "\(p)/error.log"]
        running.withLock { $0 = Task { await CommandRunner.run(CommandRequest(argv: argv, timeout: .seconds(3600))) } }
        // Ready when a probe PUT and GET go through.
        let probe = CommandCache(settings: settings(memoryEntries: 0), directory: nil)
        for _ in 0..<200 {
            if let (ok, _) = await probe.probeRemote(), ok { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchmarkSetupError("nginx did not answer on port \(port): see \(p)/error.log")
    }

    static func stop() async {
        guard let task = running.withLock({ state in defer { state = nil }; return state }) else { return }
        task.cancel()
        _ = await task.value
    }

    /// Remote tier on, the memory tier as large as asked (0: every lookup goes past it).
    static func settings(memoryEntries: Int) -> CacheSettings {
        var settings = CacheSettings()
        settings.maxEntries = memoryEntries
        settings.remote = url
        settings.remoteCoolDown = .milliseconds(10)
        return settings
    }
}

struct BenchmarkSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
