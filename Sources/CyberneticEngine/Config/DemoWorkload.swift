import Foundation
import Synchronization

/// The workload that runs when no `--config` is given: a small service boot and a CI-like mix of
/// repeated commands that takes about half a minute, then goes idle. It needs only `sh`; tasks
/// for `node` and `python3` are added where those interpreters are installed.
public enum DemoWorkload {
    public static let source = "built-in demo"

    public static let baseText = """
    # Cybernetic's built-in demo workload (the same as Examples/demo.toml).

    [queue]
    max_concurrency = 4
    task_timeout = "10s"

    [[phase]]
    name = "core"
    run = "true"

    [[phase]]
    name = "config"
    run = "sleep 0.3"
    depends_on = ["core"]

    [[phase]]
    name = "database"
    run = "sleep 0.6"
    depends_on = ["core"]
    health = "test -d /tmp"

    [[phase]]
    name = "services"
    run = "sleep 0.2"
    depends_on = ["config", "database"]

    [[task]]
    name = "lint"
    run = "for f in src/a.swift src/b.swift src/c.swift; do echo \\"checked $f\\"; done"
    every = "1s"
    count = 20

    [[task]]
    name = "test-shard-1"
    run = ["sh", "-c", "sleep 0.4; echo '12 tests passed'"]
    priority = "high"
    every = "2s"
    count = 10

    [[task]]
    name = "test-shard-2"
    run = ["sh", "-c", "sleep 0.6; echo '9 tests passed'"]
    priority = "high"
    every = "2s"
    count = 10

    [[task]]
    name = "build"
    run = "echo compiling; sleep 1; echo linked"
    every = "4s"
    count = 5

    [[task]]
    name = "log-flood"
    run = "yes 'a line of build log output' | head -n 50000"
    every = "5s"
    count = 4

    """

    static let nodeTask = """
    [[task]]
    name = "node-script"
    run = ["node", "-e", "let s = 0; for (let i = 0; i < 1e6; i++) s += i; console.log(s)"]
    every = "3s"
    count = 6

    """

    static let pythonTask = """
    [[task]]
    name = "python-script"
    run = ["python3", "-c", "print(sum(range(10**6)))"]
    every = "3s"
    count = 6

    """

    /// The demo's text for this machine: the base plus the interpreter tasks that can run here.
    public static var text: String {
        var text = baseText
        if ExecutableLookup.find("node") != nil { text += "\n" + nodeTask }
        if ExecutableLookup.find("python3") != nil { text += "\n" + pythonTask }
        return text
    }

    public static func configuration() throws(ConfigurationError) -> Configuration {
        try ConfigurationLoader.parse(text, source: source)
    }
}

public enum ExecutableLookup {
    private static let resolved = Mutex<[String: String]>([:])

    /// `find` with the answers remembered per name and `PATH`: resolving a name walks `PATH`,
    /// and the same few programs run thousands of times. A remembered path that has gone away
    /// is looked up again.
    public static func cached(_ name: String) -> String? {
        let path = getenv("PATH").map { String(cString: $0) }
        let key = "\(name)\u{0}\(path ?? "")"
        if let hit = resolved.withLock({ $0[key] }), FileManager.default.isExecutableFile(atPath: hit) { return hit }
        guard let found = find(name, path: path) else { return nil }
        resolved.withLock { $0[key] = found }
        return found
    }

    /// The first executable named `name` on `PATH`, as a shell would find it.
    public static func find(_ name: String, path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        for directory in (path ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
