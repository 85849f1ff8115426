import Foundation

/// How one command is run: from the cache when an identical run is stored there, otherwise
/// really (and then stored). Workload tasks and `cybernetic exec` both come through here, so
/// the same flags change the same paths everywhere.
public final class Executor: Sendable {
    /// What makes a run cacheable, from the task (or `exec`'s options).
    public struct CachePolicy: Sendable {
        public var declaredEnvironment: [String]
        public var inputs: [String]
        public var cacheFailures: Bool

        public init(declaredEnvironment: [String] = [], inputs: [String] = [], cacheFailures: Bool = false) {
            self.declaredEnvironment = declaredEnvironment
            self.inputs = inputs
            self.cacheFailures = cacheFailures
        }
    }

    /// The path a run took, for the panes, the report and `exec --stats`.
    public enum Path: String, Sendable, Codable {
        case memoryHit = "cache hit (memory)"
        case diskHit = "cache hit (disk)"
        case spawned = "spawned"
    }

    public struct Outcome: Sendable {
        public var result: CommandResult
        public var path: Path
        public var key: CacheKey?
        /// The run was stored for next time.
        public var stored: Bool
        /// The run could not be stored because its output exceeded the capture limit.
        public var capped: Bool
    }

    public let cache: CommandCache
    public let maxOutput: Int
    /// Holds captured output and cached results while the `memory_pool` flag is on.
    public let memoryPool: MemoryPool

    public init(configuration: Configuration, baseDirectory: String = FileManager.default.currentDirectoryPath) {
        let dir = configuration.cache.directory
        let url = URL(fileURLWithPath: dir, relativeTo: URL(fileURLWithPath: baseDirectory, isDirectory: true)).standardizedFileURL
        cache = CommandCache(settings: configuration.cache, directory: url)
        maxOutput = configuration.cache.maxOutputBytes
        memoryPool = MemoryPool(settings: configuration.memory)
    }

    /// Runs `request`; `policy` nil means the cache is not used for this run (flag off, task
    /// opted out, `--no-cache`).
    public func run(_ request: CommandRequest, policy: CachePolicy?, pooled: Bool = true) async -> Outcome {
        var request = request
        let pool = pooled ? memoryPool : nil
        request.memoryPool = pool
        guard let policy else {
            return Outcome(result: await CommandRunner.run(request), path: .spawned, key: nil, stored: false, capped: false)
        }
        let key = await CacheKey.compute(CacheKey.Inputs(
            argv: request.argv,
            workingDirectory: request.workingDirectory ?? FileManager.default.currentDirectoryPath,
            declaredEnvironment: policy.declaredEnvironment,
            overrides: request.environment,
            inputGlobs: policy.inputs
        ))
        if let (hit, tier) = cache.lookup(key, pool: pool) {
            if request.passThrough {
                Self.write(hit.stdout, to: 1)
                Self.write(hit.stderr, to: 2)
            }
            var stdout = OutputTail(limit: max(request.outputLimit, hit.stdout.count))
            stdout.append(hit.stdout)
            var stderr = OutputTail(limit: max(request.outputLimit, hit.stderr.count))
            stderr.append(hit.stderr)
            let result = CommandResult(outcome: .exited(hit.exitCode), stdout: stdout, stderr: stderr, duration: .zero)
            return Outcome(result: result, path: tier == .memory ? .memoryHit : .diskHit, key: key, stored: false, capped: false)
        }
        var capturing = request
        capturing.outputLimit = max(request.outputLimit, maxOutput)
        let result = await CommandRunner.run(capturing)
        let capped = result.stdout.truncated || result.stderr.truncated
        var stored = false
        if case .exited(let code) = result.outcome, code == 0 || policy.cacheFailures, !capped {
            cache.store(key, CachedResult(exitCode: code, stdout: result.stdout.bytes, stderr: result.stderr.bytes,
                                          originalDurationMs: result.duration.milliseconds, pool: pool))
            stored = true
        }
        return Outcome(result: result, path: .spawned, key: key, stored: stored, capped: capped)
    }

    private static func write(_ bytes: [UInt8], to fd: Int32) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                offset += n
            }
        }
    }
}
