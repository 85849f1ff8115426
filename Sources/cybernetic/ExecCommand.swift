import ArgumentParser
import CyberneticEngine
import Foundation

struct ExecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run one command and exit with its exit code.",
        discussion: "Output streams through as it arrives. The command runs in its own process group, which is ended as a whole on timeout or Ctrl-C."
    )

    @Flag(name: .long, help: "Do not use the result cache for this command.")
    var noCache = false

    @Option(name: .long, parsing: .singleValue, help: "A glob of input files whose content keys the cache (repeatable).")
    var inputs: [String] = []

    @Option(name: .long, parsing: .singleValue,
            help: "A glob of files the command writes, stored with its result and restored on a hit (repeatable).")
    var outputs: [String] = []

    @Option(name: .long, help: "A workload file whose [cache] settings apply (a shared remote cache, say); its tasks are not run.")
    var config: String?

    @Flag(name: .long, help: "Print how the command ran (time, path taken) to stderr.")
    var stats = false

    @Option(name: .long, help: "Stop the command after this long (e.g. 30s, 5m).")
    var timeout: String?

    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments, after --.")
    var command: [String]

    mutating func validate() throws {
        if command.first == "--" { command.removeFirst() }
        guard !command.isEmpty else { throw ValidationError("exec needs a command: cybernetic exec -- COMMAND [ARGS...]") }
        for pattern in outputs {
            if let problem = OutputGlob.problem(pattern) { throw ValidationError("--outputs: \(problem)") }
        }
        if let timeout, DurationText.parse(timeout) == nil {
            throw ValidationError("--timeout '\(timeout)' is not a duration; write it like 250ms, 30s or 5m")
        }
    }

    func run() async throws {
        let argv = command.first == "--" ? Array(command.dropFirst()) : command
        await OrphanGuard.arm()
        let limit = timeout.flatMap(DurationText.parse) ?? .seconds(86_400)
        let configuration = config == nil ? Configuration() : try loadConfiguration(config)
        let executor = Executor(configuration: configuration)
        let cacheOpened = noCache ? nil : Result { try executor.cache.open() }
        if case .failure(let error) = cacheOpened { Console.error("cybernetic: disk cache unusable: \(error)") }
        let request = CommandRequest(argv: argv, workingDirectory: FileManager.default.currentDirectoryPath,
                                     timeout: limit, outputLimit: 64 * 1024, passThrough: true)
        let policy: Executor.CachePolicy? = noCache ? nil : .init(inputs: inputs, outputs: outputs)
        // One command gains nothing from a warm runner (booting one costs what spawning does), so
        // exec spawns directly; the npx fast path and the cache still apply.
        let options = Executor.Options(processPool: false)
        let outcome = await withInterruptForwarding { await executor.run(request, policy: policy, options: options) }
        await executor.cache.flush()
        let result = outcome.result
        if case .failedToStart(let reason) = result.outcome { Console.error("cybernetic: \(reason)") }
        if result.outcome == .timedOut { Console.error("cybernetic: \(argv[0]) timed out after \(timeout ?? "")") }
        for reason in [outcome.restoreRefused, outcome.notCached].compactMap({ $0 }) {
            Console.error("cybernetic: \(SafeText.line(reason))")
        }
        // Damaged or unsafe entries are news whether or not --stats was asked for.
        let notices = executor.cache.drainNotices()
        if !stats {
            for notice in notices where notice.level == .warning { Console.error("cybernetic: \(SafeText.line(notice.message))") }
        }
        if stats { printStats(outcome, tiers: executor.cache.snapshot(), notices: notices) }
        throw ExitCode(result.outcome.shellExitCode)
    }

    private func printStats(_ outcome: Executor.Outcome, tiers: [CacheTierStats], notices: [CacheNotice]) {
        let result = outcome.result
        let ms = String(format: "%.2f", result.duration.seconds * 1000)
        var lines = ["cybernetic: \(result.outcome.summary) in \(ms) ms via \(outcome.path.rawValue)"
                     + (outcome.npxResolved ? " (npx fast path: local node_modules/.bin)" : "")]
        if let key = outcome.key {
            let note = outcome.capped ? "output over the capture limit, not stored"
                : outcome.notCached != nil ? "not stored (outputs)"
                : outcome.stored ? "stored" : outcome.path.ran ? "not stored (failed)" : "replayed"
            lines.append("  cache key \(key.digest.prefix(16)): \(note)")
        } else {
            lines.append("  cache: off (--no-cache)")
        }
        if let restored = outcome.restored {
            lines.append("  outputs: \(restored.files) files restored (\(restored.bytes) bytes), \(restored.unchanged) already up to date")
        }
        for tier in outcome.key == nil ? [] : tiers {
            var line = "  \(tier.name): \(tier.hits) hits, \(tier.misses) misses, \(tier.entries) entries, \(tier.bytes) bytes, \(tier.discarded) discarded"
            if let circuit = tier.circuit {
                line += ", \(tier.bytesUp) bytes up, \(tier.bytesDown) bytes down, \(tier.errors) errors, circuit \(circuit.rawValue)"
            }
            lines.append(line)
        }
        for notice in notices { lines.append("  \(notice.level.rawValue): \(SafeText.line(notice.message))") }
        lines.append("  output: \(result.stdout.totalBytes) bytes stdout, \(result.stderr.totalBytes) bytes stderr; peak memory \(PeakMemory.megabytes()) MiB")
        Console.error(lines.joined(separator: "\n"))
    }
}

enum PeakMemory {
    /// The process's peak resident set (VmHWM), in MiB.
    static func megabytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Int(line.split(separator: " ").dropFirst().first ?? "") else { return -1 }
        return kb / 1024
    }
}
