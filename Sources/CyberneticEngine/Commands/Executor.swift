import Foundation

/// How one command is run: from the cache when an identical run is stored there, otherwise
/// really (and then stored). Workload tasks and `cybernetic exec` both come through here, so
/// the same flags change the same paths everywhere.
public final class Executor: Sendable {
    /// What makes a run cacheable, from the task (or `exec`'s options).
    public struct CachePolicy: Sendable {
        public var declaredEnvironment: [String]
        public var inputs: [String]
        /// Globs of the files the command writes: stored with the result, restored on a hit.
        public var outputs: [String]
        public var cacheFailures: Bool

        public init(declaredEnvironment: [String] = [], inputs: [String] = [], outputs: [String] = [],
                    cacheFailures: Bool = false) {
            self.declaredEnvironment = declaredEnvironment
            self.inputs = inputs
            self.outputs = outputs
            self.cacheFailures = cacheFailures
        }
    }

    /// The path a run took, for the panes, the report and `exec --stats`.
    public enum Path: String, Sendable, Codable {
        case memoryHit = "cache hit (memory)"
        case diskHit = "cache hit (disk)"
        case remoteHit = "cache hit (remote)"
        case warmRunner = "warm runner"
        case spawned = "spawned"

        public var ran: Bool { self == .warmRunner || self == .spawned }

        init(hitIn tier: CacheTier) {
            switch tier {
            case .memory: self = .memoryHit
            case .disk: self = .diskHit
            case .remote: self = .remoteHit
            }
        }
    }

    /// The fast paths in force for one run: the feature flags, evaluated per run.
    public struct Options: Sendable {
        public var pooledMemory = true
        public var processPool = true
        public var npxFastPath = true

        public init(pooledMemory: Bool = true, processPool: Bool = true, npxFastPath: Bool = true) {
            self.pooledMemory = pooledMemory
            self.processPool = processPool
            self.npxFastPath = npxFastPath
        }

        public init(flags: FeatureFlags) {
            self.init(pooledMemory: flags[.memoryPool], processPool: flags[.processPool], npxFastPath: flags[.npxFastPath])
        }
    }

    public struct Outcome: Sendable {
        public var result: CommandResult
        public var path: Path
        public var key: CacheKey?
        /// The run was stored for next time.
        public var stored: Bool
        /// The run could not be stored because its output exceeded the capture limit.
        public var capped: Bool
        /// `npx NAME` was resolved to a local `node_modules/.bin` target instead of running npx.
        public var npxResolved = false
        /// The output files a hit wrote back.
        public var restored: RestoredOutputs? = nil
        /// Why a hit was not used and the command ran instead (its outputs could not be restored safely).
        public var restoreRefused: String? = nil
        /// Why a successful run was not cached (its outputs were unsafe or too large).
        public var notCached: String? = nil
    }

    public let cache: CommandCache
    public let maxOutput: Int
    /// Holds captured output and cached results while the `memory_pool` flag is on.
    public let memoryPool: MemoryPool
    /// Pre-booted interpreters for the runtimes in `process_pool.runtimes`.
    public let processPool: ProcessPool
    private let warmRuntimes: Set<String>

    public init(configuration: Configuration, baseDirectory: String = FileManager.default.currentDirectoryPath) {
        let dir = configuration.cache.directory
        let url = URL(fileURLWithPath: dir, relativeTo: URL(fileURLWithPath: baseDirectory, isDirectory: true)).standardizedFileURL
        cache = CommandCache(settings: configuration.cache, directory: url)
        maxOutput = configuration.cache.maxOutputBytes
        memoryPool = MemoryPool(settings: configuration.memory)
        processPool = ProcessPool(settings: configuration.processPool)
        warmRuntimes = Set(configuration.processPool.runtimes.compactMap { name in
            (name == "python3" ? "python" : name)
        })
    }

    /// The runtimes the given command lines would run on warm, for pre-booting spares.
    public func runtimes(for argvs: [[String]]) -> [String] {
        var names: [String] = []
        for argv in argvs {
            let resolved = NpxResolver.resolve(argv: argv, workingDirectory: nil) ?? argv
            guard let program = resolved.first, let kind = WarmRuntimeKind.of(program: program),
                  warmRuntimes.contains(kind.rawValue) else { continue }
            let name = kind == .sh ? program : kind == .python ? "python3" : "node"
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// Runs on a warm runner when the program is a pooled runtime and one can take it;
    /// otherwise spawns it.
    private func launch(_ request: CommandRequest, usePool: Bool) async -> (CommandResult, Path) {
        if usePool, let program = request.argv.first, let kind = WarmRuntimeKind.of(program: program),
           warmRuntimes.contains(kind.rawValue), let result = await processPool.run(request) {
            return (result, .warmRunner)
        }
        return (await CommandRunner.run(request), .spawned)
    }

    /// Runs `request`; `policy` nil means the cache is not used for this run (flag off, task
    /// opted out, `--no-cache`).
    public func run(_ request: CommandRequest, policy: CachePolicy?, options: Options = Options()) async -> Outcome {
        var request = request
        let pool = options.pooledMemory ? memoryPool : nil
        request.memoryPool = pool
        var npxResolved = false
        if options.npxFastPath, let resolved = NpxResolver.resolve(argv: request.argv, workingDirectory: request.workingDirectory) {
            request.argv = resolved
            npxResolved = true
        }
        guard let policy else {
            let (result, path) = await launch(request, usePool: options.processPool)
            return Outcome(result: result, path: path, key: nil, stored: false, capped: false, npxResolved: npxResolved)
        }
        let key = await CacheKey.compute(CacheKey.Inputs(
            argv: request.argv,
            workingDirectory: request.workingDirectory ?? FileManager.default.currentDirectoryPath,
            declaredEnvironment: policy.declaredEnvironment,
            overrides: request.environment,
            inputGlobs: policy.inputs,
            outputGlobs: policy.outputs,
            ownFolders: cache.directory.map { [$0.path] } ?? []
        ))
        let directory = request.workingDirectory ?? FileManager.default.currentDirectoryPath
        var refused: String?, notCached: String?
        if let (hit, tier) = await cache.fetch(key, pool: pool) {
            // Outputs first: the result is reported only once the files are in place. An entry
            // whose outputs cannot be restored safely is not used; the command runs instead.
            switch OutputRestorer.restore(hit.outputs, in: directory) {
            case .success(let restored):
                return replay(hit, tier: tier, key: key, request: request, npxResolved: npxResolved, restored: restored)
            case .failure(let failure):
                refused = "cached outputs not restored (\(failure)); the command ran instead"
            }
        }
        var capturing = request
        capturing.outputLimit = max(request.outputLimit, maxOutput)
        let (result, path) = await launch(capturing, usePool: options.processPool)
        let capped = result.stdout.truncated || result.stderr.truncated
        var stored = false
        // Output that shows a secret is not stored: cache folders and remote caches are shared.
        if case .exited(let code) = result.outcome, code == 0 || policy.cacheFailures, !capped,
           !Secrets.appear(in: result.stdout.bytes, result.stderr.bytes) {
            switch OutputCollector.collect(policy.outputs, in: directory, limit: cache.maxOutputsBytes, pool: pool) {
            case .success(let outputs):
                cache.store(key, CachedResult(exitCode: code, stdout: result.stdout.bytes, stderr: result.stderr.bytes,
                                              originalDurationMs: result.duration.milliseconds, outputs: outputs, pool: pool))
                stored = true
            case .failure(let failure):
                notCached = "not cached: \(failure)"
            }
        }
        return Outcome(result: result, path: path, key: key, stored: stored, capped: capped, npxResolved: npxResolved,
                       restoreRefused: refused, notCached: notCached)
    }

    private func replay(_ hit: CachedResult, tier: CacheTier, key: CacheKey, request: CommandRequest, npxResolved: Bool,
                        restored: RestoredOutputs) -> Outcome {
        if request.passThrough {
            Self.write(hit.stdout, to: 1)
            Self.write(hit.stderr, to: 2)
        }
        var stdout = OutputTail(limit: max(request.outputLimit, hit.stdout.count))
        stdout.append(hit.stdout)
        var stderr = OutputTail(limit: max(request.outputLimit, hit.stderr.count))
        stderr.append(hit.stderr)
        let result = CommandResult(outcome: .exited(hit.exitCode), stdout: stdout, stderr: stderr, duration: .zero)
        return Outcome(result: result, path: Path(hitIn: tier), key: key, stored: false, capped: false,
                       npxResolved: npxResolved, restored: restored.files + restored.unchanged == 0 ? nil : restored)
    }

    private static func write(_ bytes: [UInt8], to fd: Int32) {
        _ = bytes.withUnsafeBytes { FileDescriptorIO.writeAll(fd, $0) }
    }
}
