import Foundation
import TOMLKit

/// Turns workload-file text into a validated `Configuration`, or a `ConfigurationError` listing
/// every problem found (unknown keys with suggestions, wrong types, out-of-range numbers,
/// duplicate names, unknown dependencies, cycles).
public enum ConfigurationLoader {
    static let sections = ["queue", "process_pool", "cache", "memory", "flags", "keys", "phase", "task", "optimizer", "ab"]
    static let queueKeys = ["max_size", "max_concurrency", "task_timeout", "min_concurrency", "limiter", "aging"]
    static let poolKeys = ["min", "max", "idle_timeout", "runtimes"]
    static let cacheKeys = ["max_entries", "ttl", "dir", "remote", "remote_mode", "remote_token_env",
                            "remote_timeout", "remote_cooldown", "max_disk", "max_output", "max_outputs"]
    static let memoryKeys = ["small_blocks", "medium_blocks", "large_blocks"]
    static let optimizerKeys = ["interval", "validation_window", "min_samples", "learning_file"]
    static let abKeys = ["min_samples", "max_duration", "alpha", "seed"]
    static let phaseKeys = ["name", "run", "depends_on", "timeout", "health", "rollback", "service"]
    static let taskKeys = ["name", "run", "priority", "cache", "cache_failures", "inputs", "outputs", "env", "every", "count", "timeout",
                           "secret_env"]

    static let day: Duration = .seconds(86_400)

    public static func load(path: String) throws(ConfigurationError) -> Configuration {
        guard let data = FileContents.read(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file"
            throw ConfigurationError(source: path, issues: [.init(key: "", line: nil, message: reason)])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(source: path, issues: [.init(key: "", line: nil, message: "the file is not UTF-8 text")])
        }
        return try parse(text, source: path)
    }

    public static func parse(_ text: String, source: String = "workload") throws(ConfigurationError) -> Configuration {
        if let problem = TOMLPrecheck.problem(in: text) {
            throw ConfigurationError(source: source, issues: [.init(key: "", line: problem.line, message: problem.message)])
        }
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(source: source, issues: [
                .init(key: "", line: error.source.begin.line, message: "TOML syntax error: \(error.description)"),
            ])
        } catch {
            throw ConfigurationError(source: source, issues: [.init(key: "", line: nil, message: "\(error)")])
        }
        // TOMLKit never frees a parsed document (TOMLTable has no deinit): emptying the root frees
        // the whole toml++ tree, about 0.5 KB per [[task]] table, which would otherwise stay for
        // the life of the process. Nothing read from it outlives this function.
        defer { root.clear() }

        let lines = SourceLines(text: text)
        let collector = IssueCollector()
        var config = Configuration()
        config.source = source
        let top = TableReader(root, displayPath: "", tableID: "", lines: lines, collector: collector)
        top.rejectUnknownKeys(allowed: sections)

        if let queue = section("queue", root, lines, collector) {
            config.queue.maxSize = queue.int("max_size", in: 1...10_000_000) ?? config.queue.maxSize
            config.queue.maxConcurrency = queue.int("max_concurrency", in: 1...10_000) ?? config.queue.maxConcurrency
            config.queue.taskTimeout = queue.duration("task_timeout", in: .milliseconds(1)...day) ?? config.queue.taskTimeout
            config.queue.minConcurrency = queue.int("min_concurrency", in: 1...10_000) ?? config.queue.minConcurrency
            config.queue.aging = queue.duration("aging", in: .milliseconds(1)...day) ?? config.queue.aging
            if let name = queue.string("limiter") {
                if let algorithm = AdaptiveAlgorithm(rawValue: name) {
                    config.queue.limiter = algorithm
                } else {
                    queue.fail("limiter", "unknown limiter '\(name)'" + Suggestions.hint(for: name, in: AdaptiveAlgorithm.allCases.map(\.rawValue)))
                }
            }
            if config.queue.minConcurrency > config.queue.maxConcurrency {
                queue.fail("min_concurrency", "min_concurrency (\(config.queue.minConcurrency)) must not exceed max_concurrency (\(config.queue.maxConcurrency))")
            }
            queue.rejectUnknownKeys(allowed: queueKeys)
        }
        if let pool = section("process_pool", root, lines, collector) {
            config.processPool.min = pool.int("min", in: 0...1000) ?? config.processPool.min
            config.processPool.max = pool.int("max", in: 1...1000) ?? config.processPool.max
            config.processPool.idleTimeout = pool.duration("idle_timeout", in: .milliseconds(1)...day) ?? config.processPool.idleTimeout
            if let runtimes = pool.stringArray("runtimes") {
                let known = ["sh", "node", "python3"]
                for name in runtimes where !known.contains(name) {
                    pool.fail("runtimes", "unknown runtime '\(name)'" + Suggestions.hint(for: name, in: known))
                }
                config.processPool.runtimes = runtimes.filter(known.contains)
            }
            if config.processPool.min > config.processPool.max {
                pool.fail("min", "min (\(config.processPool.min)) must not exceed max (\(config.processPool.max))")
            }
            pool.rejectUnknownKeys(allowed: poolKeys)
        }
        if let cache = section("cache", root, lines, collector) {
            config.cache.maxEntries = cache.int("max_entries", in: 0...10_000_000) ?? config.cache.maxEntries
            config.cache.ttl = cache.duration("ttl", in: .milliseconds(1)...(day * 30)) ?? config.cache.ttl
            config.cache.directory = cache.string("dir") ?? config.cache.directory
            config.cache.diskMaxBytes = cache.size("max_disk", in: 1 << 20...(1 << 40)) ?? config.cache.diskMaxBytes
            config.cache.maxOutputBytes = cache.size("max_output", in: 1024...(1 << 30)) ?? config.cache.maxOutputBytes
            config.cache.maxOutputsBytes = cache.size("max_outputs", in: 1024...(1 << 40)) ?? config.cache.maxOutputsBytes
            if let remote = cache.string("remote") {
                if remote.hasPrefix("http://") || remote.hasPrefix("https://"), URL(string: remote)?.host != nil {
                    config.cache.remote = remote
                } else {
                    cache.fail("remote", "'\(remote)' is not an http:// or https:// URL")
                }
            }
            readRemoteOptions(cache, into: &config.cache)
            cache.rejectUnknownKeys(allowed: cacheKeys)
        }
        if let memory = section("memory", root, lines, collector) {
            config.memory.smallBlocks = memory.int("small_blocks", in: 0...1_000_000) ?? config.memory.smallBlocks
            config.memory.mediumBlocks = memory.int("medium_blocks", in: 0...1_000_000) ?? config.memory.mediumBlocks
            config.memory.largeBlocks = memory.int("large_blocks", in: 0...1_000_000) ?? config.memory.largeBlocks
            memory.rejectUnknownKeys(allowed: memoryKeys)
        }
        if let flags = section("flags", root, lines, collector) {
            let names = FeatureFlag.allCases.map(\.rawValue)
            for flag in FeatureFlag.allCases {
                if let value = flags.bool(flag.rawValue) { config.flags[flag] = value }
            }
            flags.rejectUnknownKeys(allowed: names)
        }
        if let optimizer = section("optimizer", root, lines, collector) {
            config.optimizer.interval = optimizer.duration("interval", in: .milliseconds(100)...day) ?? config.optimizer.interval
            config.optimizer.validationWindow = optimizer.duration("validation_window", in: .milliseconds(100)...day)
                ?? config.optimizer.validationWindow
            config.optimizer.minSamples = optimizer.int("min_samples", in: 1...1_000_000) ?? config.optimizer.minSamples
            config.optimizer.learningFile = optimizer.string("learning_file") ?? config.optimizer.learningFile
            optimizer.rejectUnknownKeys(allowed: optimizerKeys)
        }
        if let ab = section("ab", root, lines, collector) {
            config.ab.minSamples = ab.int("min_samples", in: 2...1_000_000) ?? config.ab.minSamples
            config.ab.maxDuration = ab.duration("max_duration", in: .milliseconds(100)...day) ?? config.ab.maxDuration
            config.ab.alpha = ab.fraction("alpha", in: 0.0001...0.5) ?? config.ab.alpha
            config.ab.seed = ab.int("seed", in: 0...Int.max).map { UInt64($0) } ?? config.ab.seed
            ab.rejectUnknownKeys(allowed: abKeys)
        }
        if let keys = section("keys", root, lines, collector) {
            for action in keys.table.keys.sorted() where KeyBindingNames.actions.contains(action) {
                if let key = keys.string(action) { config.keys[action] = key }
            }
            keys.rejectUnknownKeys(allowed: KeyBindingNames.actions)
        }
        let phaseTables = arrayOfTables("phase", root, lines, collector)
        let taskTables = arrayOfTables("task", root, lines, collector)
        config.phases = phaseTables.compactMap(readPhase)
        config.tasks = taskTables.compactMap(readTask)
        checkDuplicateNames("phase", phaseTables)
        checkDuplicateNames("task", taskTables)
        checkDependencies(config.phases, lines: lines, collector: collector)

        if !collector.issues.isEmpty {
            throw ConfigurationError(source: source, issues: collector.issues)
        }
        return config
    }

    private static func section(_ name: String, _ root: TOMLTable, _ lines: SourceLines,
                                _ collector: IssueCollector) -> TableReader? {
        guard let raw = root[name] else { return nil }
        guard let table = raw.table else {
            collector.add(key: name, line: lines.line(table: "", key: name),
                          message: "expected a table ([\(name)]), got \(raw.type)")
            return nil
        }
        return TableReader(table, displayPath: name, tableID: name, lines: lines, collector: collector)
    }

    private static func arrayOfTables(_ name: String, _ root: TOMLTable, _ lines: SourceLines,
                                      _ collector: IssueCollector) -> [TableReader] {
        guard let raw = root[name] else { return [] }
        guard let array = raw.array else {
            collector.add(key: name, line: lines.line(table: name) ?? lines.line(table: "", key: name),
                          message: "expected an array of tables: write [[\(name)]], not [\(name)]")
            return []
        }
        return array.enumerated().compactMap { index, element in
            guard let table = element.table else {
                collector.add(key: "\(name)[\(index + 1)]", line: lines.line(table: "", key: name),
                              message: "expected a table, got \(element.type)")
                return nil
            }
            let label = table["name"]?.string.map { "\(name) \"\($0)\"" } ?? "\(name)[\(index + 1)]"
            return TableReader(table, displayPath: label, tableID: "\(name)#\(index)", lines: lines, collector: collector)
        }
    }

    private static func readPhase(_ reader: TableReader) -> PhaseSpec? {
        reader.rejectUnknownKeys(allowed: phaseKeys)
        let name = requiredName(reader)
        let run = required(reader, "run") { reader.command("run") }
        let dependsOn = reader.stringArray("depends_on") ?? []
        let timeout = reader.duration("timeout", in: .milliseconds(1)...day)
        let health = reader.string("health")
        if let health, health.hasPrefix("https://") {
            reader.fail("health", "HTTPS probes are not supported; use http:// on loopback or a command such as \"curl -fsS \(health)\"")
        } else if let health, health.hasPrefix("tcp://") || health.hasPrefix("http://"), HealthCheck(health).isCommand {
            reader.fail("health", "'\(health)' is not tcp://HOST:PORT or http://HOST[:PORT]/PATH")
        }
        let service = reader.bool("service") ?? false
        let rollback = reader.command("rollback")
        guard let name, let run else { return nil }
        if name.hasPrefix("engine:") {
            reader.fail("name", "phase names starting with 'engine:' are reserved for Cybernetic's own start-up")
            return nil
        }
        return PhaseSpec(name: name, run: run, dependsOn: dependsOn, timeout: timeout, health: health, rollback: rollback,
                         service: service)
    }

    private static func readTask(_ reader: TableReader) -> TaskSpec? {
        reader.rejectUnknownKeys(allowed: taskKeys)
        let name = requiredName(reader)
        let run = required(reader, "run") { reader.command("run") }
        var priority = TaskPriority.normal
        if let text = reader.string("priority") {
            if let value = TaskPriority(rawValue: text) {
                priority = value
            } else {
                reader.fail("priority", "unknown priority '\(text)'" + Suggestions.hint(for: text, in: TaskPriority.allCases.map(\.rawValue)))
            }
        }
        let env = (reader.stringArray("env") ?? []).compactMap { entry -> EnvironmentEntry? in
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            guard isEnvironmentName(name) else {
                reader.fail("env", "'\(entry)' is not NAME or NAME=VALUE with NAME made of letters, digits and _")
                return nil
            }
            return EnvironmentEntry(name: name, value: parts.count == 2 ? String(parts[1]) : nil)
        }
        let secretEnv = reader.stringArray("secret_env") ?? []
        for name in secretEnv where !isEnvironmentName(name) {
            reader.fail("secret_env", "'\(name)' is not a variable name made of letters, digits and _")
        }
        let every = reader.duration("every", in: .milliseconds(10)...day)
        let count = reader.int("count", in: 1...10_000_000)
        let timeout = reader.duration("timeout", in: .milliseconds(1)...day)
        let cache = reader.bool("cache")
        let cacheFailures = reader.bool("cache_failures")
        let inputs = reader.stringArray("inputs") ?? []
        for pattern in inputs where pattern.trimmingWhitespace().isEmpty {
            reader.fail("inputs", "empty glob pattern")
        }
        let outputs = reader.stringArray("outputs") ?? []
        for pattern in outputs {
            if let problem = OutputPath.globProblem(pattern) { reader.fail("outputs", problem) }
        }
        guard let name, let run else { return nil }
        var task = TaskSpec(name: name, run: run)
        task.outputs = outputs
        task.priority = priority
        task.cache = cache ?? true
        task.cacheFailures = cacheFailures ?? false
        task.inputs = inputs
        task.env = env
        task.secretEnv = secretEnv
        task.every = every
        task.count = count ?? (every == nil ? 1 : nil)
        task.timeout = timeout
        return task
    }

    private static func requiredName(_ reader: TableReader) -> String? {
        guard let name = required(reader, "name", { reader.string("name") }) else { return nil }
        if name.count > 64 || name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            reader.fail("name", "must be at most 64 printable characters")
            return nil
        }
        return name
    }

    private static func required<T>(_ reader: TableReader, _ key: String, _ read: () -> T?) -> T? {
        guard reader.table[key] != nil else {
            reader.collector.add(key: "\(reader.displayPath).\(key)", line: reader.lines.line(table: reader.tableID),
                                 message: "missing required key '\(key)'")
            return nil
        }
        return read()
    }

    static func isEnvironmentName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    /// Checked on the raw tables, so a duplicate is found even when the first entry has other errors.
    private static func checkDuplicateNames(_ kind: String, _ readers: [TableReader]) {
        var seen: Set<String> = []
        for reader in readers {
            guard let name = reader.table["name"]?.string else { continue }
            if !seen.insert(name).inserted { reader.fail("name", "duplicate \(kind) name '\(name)'") }
        }
    }

    private static func checkDependencies(_ phases: [PhaseSpec], lines: SourceLines, collector: IssueCollector) {
        let names = phases.map(\.name)
        for (index, phase) in phases.enumerated() {
            for dependency in phase.dependsOn where !names.contains(dependency) || dependency == phase.name {
                let message = dependency == phase.name
                    ? "phase '\(phase.name)' depends on itself"
                    : "unknown phase '\(dependency)'" + Suggestions.hint(for: dependency, in: names)
                collector.add(key: "phase \"\(phase.name)\".depends_on", line: lines.line(table: "phase#\(index)", key: "depends_on"),
                              message: message)
            }
        }
        if let cycle = DependencyGraph(phases).firstCycle() {
            let index = phases.firstIndex { $0.name == cycle[0] } ?? 0
            collector.add(key: "phase \"\(cycle[0])\".depends_on", line: lines.line(table: "phase#\(index)", key: "depends_on"),
                          message: "dependency cycle: " + cycle.joined(separator: " -> "))
        }
    }
}
