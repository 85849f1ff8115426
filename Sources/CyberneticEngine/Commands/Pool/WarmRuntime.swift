import Foundation
import Synchronization

/// The interpreters a warm runner exists for.
enum WarmRuntimeKind: String, Sendable, Hashable, CaseIterable {
    case sh
    case node
    case python

    /// The kind a program name (or path) stands for, by its last path component.
    static func of(program: String) -> WarmRuntimeKind? {
        let name = program.split(separator: "/").last.map(String.init) ?? program
        switch name {
        case "sh", "dash", "bash": return .sh
        case "node", "nodejs": return .node
        case "python3", "python": return .python
        default:
            if name.hasPrefix("python3."), Int(name.dropFirst("python3.".count)) != nil { return .python }
            return nil
        }
    }

    /// Whether a variable is read when the interpreter boots (so a runner booted without the
    /// value the job asks for would run it differently).
    func affectsBoot(_ name: String) -> Bool {
        if name == "LANG" || name == "LC_ALL" || name.hasPrefix("LC_") { return true }
        switch self {
        case .sh:
            return ["ENV", "BASH_ENV", "SHELLOPTS", "BASHOPTS", "POSIXLY_CORRECT"].contains(name)
        case .node:
            return name.hasPrefix("NODE_") || name.hasPrefix("UV_") || name.hasPrefix("V8_")
                || ["HOME", "TZ", "SSL_CERT_FILE", "SSL_CERT_DIR", "OPENSSL_CONF"].contains(name)
        case .python:
            // PYENV_* because `python3` is often a pyenv shim that picks the interpreter at boot.
            return name.hasPrefix("PYTHON") || name.hasPrefix("PYENV") || name == "HOME"
        }
    }
}

/// What a runner is booted as: the interpreter and every boot-relevant variable's value.
/// A job only ever runs in a runner whose key equals its own.
struct RuntimeKey: Sendable, Hashable {
    let kind: WarmRuntimeKind
    /// Resolved through `PATH` as `CommandRunner` resolves programs.
    let interpreter: String
    /// The interpreter's real file: `/bin/sh` and `/usr/bin/sh` are one runtime.
    let identity: String
    /// Boot-relevant variables that are set, with their values (unset ones are absent).
    let bootEnvironment: [String: String]
    /// Shown in snapshots: "node", or "node +NODE_OPTIONS" when booted with values other than
    /// the engine's own, or the path when the interpreter is not the one `PATH` gives.
    let label: String

    init(kind: WarmRuntimeKind, interpreter: String, program: String, overrides: [String: String?],
         base: [String: String]) {
        self.kind = kind
        self.interpreter = interpreter
        identity = Self.canonical(interpreter)
        var boot: [String: String] = [:]
        for (name, value) in base where kind.affectsBoot(name) { boot[name] = value }
        var changed: [String] = []
        for (name, value) in overrides where kind.affectsBoot(name) {
            if boot[name] != value { changed.append(name) }
            boot[name] = value
        }
        bootEnvironment = boot
        let name = program.split(separator: "/").last.map(String.init) ?? program
        var label = name
        if ExecutableLookup.cached(name).map(Self.canonical) != identity { label = interpreter }
        if !changed.isEmpty { label += " +" + changed.sorted().joined(separator: ",") }
        self.label = label
    }

    private static let canonicalPaths = Mutex<[String: String]>([:])

    static func canonical(_ path: String) -> String {
        if let known = canonicalPaths.withLock({ $0[path] }) { return known }
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        canonicalPaths.withLock { $0[path] = resolved }
        return resolved
    }

    static func == (a: RuntimeKey, b: RuntimeKey) -> Bool {
        a.kind == b.kind && a.identity == b.identity && a.bootEnvironment == b.bootEnvironment
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(identity)
        hasher.combine(bootEnvironment)
    }

    /// The overrides that turn the engine's environment into this key's boot environment.
    func spawnOverrides(base: [String: String]) -> [String: String?] {
        var result: [String: String?] = [:]
        for (name, _) in base where kind.affectsBoot(name) && bootEnvironment[name] == nil { result[name] = .some(nil) }
        for (name, value) in bootEnvironment where base[name] != value { result[name] = value }
        return result
    }
}

/// One job for a warm runner: the key of the runner it needs and the bytes its bootstrap reads.
struct WarmJob: Sendable {
    let key: RuntimeKey
    let payload: [UInt8]
}

/// Decides whether a request can run on a warm runner and encodes it for the runner's bootstrap.
enum WarmJobPlanner {
    /// A shell job larger than this goes to a directly spawned shell: the runner reads its job
    /// line byte by byte, as `read` does on a pipe.
    static let shellJobLimit = 256 * 1024

    static func plan(_ request: CommandRequest, base: [String: String]) -> WarmJob? {
        let argv = request.argv
        guard let program = argv.first, !program.isEmpty, let kind = WarmRuntimeKind.of(program: program),
              let interpreter = ExecutableLookup.cached(program) else { return nil }
        let key = RuntimeKey(kind: kind, interpreter: interpreter, program: program,
                             overrides: request.environment, base: base)
        let payload: [UInt8]?
        switch kind {
        case .sh: payload = shellJob(argv, interpreter: interpreter, request: request)
        case .node: payload = nodeJob(argv, request: request)
        case .python: payload = pythonJob(argv, request: request)
        }
        return payload.map { WarmJob(key: key, payload: $0) }
    }

    // MARK: node

    private struct NodeJob: Encodable {
        let argv: [String]
        let cwd: String?
        let env: [String: String?]
    }

    /// `node SCRIPT [ARGS...]`, nothing else (no node flags, no `-e`, no stdin script).
    static func nodeJob(_ argv: [String], request: CommandRequest) -> [UInt8]? {
        guard argv.count >= 2, !argv[1].isEmpty, !argv[1].hasPrefix("-") else { return nil }
        return encode(NodeJob(argv: Array(argv.dropFirst()), cwd: request.workingDirectory, env: request.environment))
    }

    // MARK: python

    private struct PythonJob: Encodable {
        let mode: String
        let argv: [String]
        let cwd: String?
        let env: [String: String?]
    }

    /// `python3 SCRIPT [ARGS]`, `python3 -c CODE [ARGS]`, `python3 -m MODULE [ARGS]`.
    static func pythonJob(_ argv: [String], request: CommandRequest) -> [UInt8]? {
        guard argv.count >= 2 else { return nil }
        let mode: String
        var rest = Array(argv.dropFirst())
        switch argv[1] {
        case "-c":
            guard argv.count >= 3 else { return nil }
            mode = "code"
            rest.removeFirst()
        case "-m":
            guard argv.count >= 3, !argv[2].isEmpty, !argv[2].hasPrefix("-") else { return nil }
            mode = "module"
            rest.removeFirst()
        default:
            guard !argv[1].isEmpty, !argv[1].hasPrefix("-") else { return nil }
            mode = "script"
        }
        return encode(PythonJob(mode: mode, argv: rest, cwd: request.workingDirectory, env: request.environment))
    }

    // MARK: sh

    /// `sh -c SCRIPT` is evaluated in the waiting shell; `sh -c SCRIPT NAME ARGS...` needs `$0`,
    /// which a running shell cannot change, so the waiting shell `exec`s a fresh one with it.
    static func shellJob(_ argv: [String], interpreter: String, request: CommandRequest) -> [UInt8]? {
        guard argv.count >= 3, argv[1] == "-c" else { return nil }
        var line = ""
        if let directory = request.workingDirectory {
            line += "cd -- \(shellQuote(directory)) || exit 1; "
        }
        for (name, value) in request.environment.sorted(by: { $0.key < $1.key }) {
            guard isShellName(name) else { return nil }
            if let value {
                line += "export \(name)=\(shellQuote(value)); "
            } else {
                line += "unset \(name); "
            }
        }
        if argv.count == 3 {
            line += "eval \(shellQuote(argv[2]))"
        } else {
            line += "exec " + ([interpreter] + argv.dropFirst()).map(shellQuote).joined(separator: " ")
        }
        line += "\n"
        guard line.utf8.count <= shellJobLimit else { return nil }
        return Array(line.utf8)
    }

    /// One single-quoted word that survives being read as one line: `'` becomes `'\''`, and a
    /// newline becomes `'"$__cyb_nl"'`, which the runner expands to a newline.
    static func shellQuote(_ text: String) -> String {
        var out = "'"
        for scalar in text.unicodeScalars {
            switch scalar {
            case "'": out += "'\\''"
            case "\n": out += "'\"$__cyb_nl\"'"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "'"
    }

    static func isShellName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic)
        else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    private static func encode(_ value: some Encodable) -> [UInt8]? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        guard var data = try? encoder.encode(value) else { return nil }
        data.append(0x0A)
        return Array(data)
    }
}
