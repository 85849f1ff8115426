import CyberneticEngine
import Foundation
import Testing
import TestSupport

@Suite(.watchdog) struct ConfigurationTests {
    private func issues(_ text: String) -> [ConfigurationIssue] {
        do {
            _ = try ConfigurationLoader.parse(text, source: "test.toml")
            Issue.record("expected the workload to be rejected")
            return []
        } catch {
            return error.issues
        }
    }

    @Test func emptyFileGivesTheDesignDefaults() throws {
        let config = try ConfigurationLoader.parse("")
        #expect(config.queue.maxSize == 10_000)
        #expect(config.queue.maxConcurrency == 100)
        #expect(config.queue.taskTimeout == .seconds(30))
        #expect(config.processPool.min == 3)
        #expect(config.processPool.max == 10)
        #expect(config.processPool.idleTimeout == .seconds(30))
        #expect(config.cache.maxEntries == 1000)
        #expect(config.cache.ttl == .seconds(300))
        #expect(config.cache.directory == ".cybernetic/cache")
        #expect(config.cache.remote == nil)
        #expect(config.memory.smallBlocks == 256)
        #expect(config.memory.mediumBlocks == 128)
        #expect(config.memory.largeBlocks == 64)
        for flag in FeatureFlag.allCases { #expect(config.flags[flag]) }
    }

    @Test func everySectionAndKeyIsRead() throws {
        let config = try ConfigurationLoader.parse("""
        [queue]
        max_size = 50
        max_concurrency = 4
        task_timeout = "250ms"
        [process_pool]
        min = 1
        max = 2
        idle_timeout = "5m"
        [cache]
        max_entries = 10
        ttl = "1m30s"
        dir = "/tmp/c"
        remote = "http://127.0.0.1:9090/cache"
        [memory]
        small_blocks = 1
        medium_blocks = 2
        large_blocks = 3
        [flags]
        command_cache = false
        self_optimization = false
        [[phase]]
        name = "db"
        run = ["pg_ctl", "start"]
        timeout = "10s"
        health = "tcp://127.0.0.1:5432"
        rollback = "pg_ctl stop"
        [[phase]]
        name = "app"
        run = "true"
        depends_on = ["db"]
        [[task]]
        name = "lint"
        run = "eslint ."
        priority = "critical"
        cache = false
        inputs = ["src/**/*.js"]
        env = ["NODE_ENV=test", "HOME"]
        every = "5s"
        count = 3
        timeout = "2s"
        """)
        #expect(config.queue.maxSize == 50)
        #expect(config.queue.taskTimeout == .milliseconds(250))
        #expect(config.processPool.idleTimeout == .seconds(300))
        #expect(config.cache.ttl == .seconds(90))
        #expect(config.cache.remote == "http://127.0.0.1:9090/cache")
        #expect(config.memory.largeBlocks == 3)
        #expect(config.flags[.commandCache] == false)
        #expect(config.flags[.processPool])
        #expect(config.phases.map(\.name) == ["db", "app"])
        #expect(config.phases[0].run == .argv(["pg_ctl", "start"]))
        #expect(config.phases[0].rollback == .shell("pg_ctl stop"))
        #expect(config.phases[1].dependsOn == ["db"])
        let task = try #require(config.tasks.first)
        #expect(task.priority == .critical)
        #expect(task.cache == false)
        #expect(task.inputs == ["src/**/*.js"])
        #expect(task.env == [EnvironmentEntry(name: "NODE_ENV", value: "test"), EnvironmentEntry(name: "HOME")])
        #expect(task.every == .seconds(5))
        #expect(task.count == 3)
        #expect(task.timeout == .seconds(2))
        #expect(task.run.argv == ["/bin/sh", "-c", "eslint ."])
    }

    @Test func repetitionDefaults() throws {
        let config = try ConfigurationLoader.parse("""
        [[task]]
        name = "once"
        run = "true"
        [[task]]
        name = "forever"
        run = "true"
        every = "1s"
        """)
        #expect(config.tasks[0].count == 1)
        #expect(config.tasks[1].count == nil)
    }

    @Test(arguments: [
        ("250ms", Duration.milliseconds(250)), ("30s", .seconds(30)), ("5m", .seconds(300)), ("1h", .seconds(3600)),
        ("1.5s", .milliseconds(1500)), ("1m30s", .seconds(90)), (" 2s ", .seconds(2)),
    ])
    func durationsParse(text: String, expected: Duration) {
        #expect(DurationText.parse(text) == expected)
    }

    @Test(arguments: ["", "30", "s", "5 parsecs", "-1s", "1x", "ms5"])
    func badDurationsAreRejected(text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test func unknownKeysSuggestTheClosestKnownKey() {
        let found = issues("""
        [queue]
        max_concurency = 3
        [cach]
        ttl = "1m"
        """)
        let typo = found.first { $0.key == "queue.max_concurency" }
        #expect(typo?.line == 2)
        #expect(typo?.message.contains("did you mean 'max_concurrency'") == true)
        let section = found.first { $0.key == "cach" }
        #expect(section?.line == 3)
        #expect(section?.message.contains("did you mean 'cache'") == true)
    }

    @Test func wrongTypesNameTheKeyAndWhatWasExpected() {
        let found = issues("""
        [queue]
        max_size = "big"
        task_timeout = 30
        [flags]
        command_cache = "yes"
        """)
        #expect(found.contains { $0.key == "queue.max_size" && $0.message.contains("expected an integer") && $0.line == 2 })
        #expect(found.contains { $0.key == "queue.task_timeout" && $0.message.contains("\"30s\"") && $0.line == 3 })
        #expect(found.contains { $0.key == "flags.command_cache" && $0.message.contains("true or false") && $0.line == 5 })
    }

    @Test func negativeAndAbsurdNumbersAreRejected() {
        let found = issues("""
        [queue]
        max_size = -5
        max_concurrency = 99999999
        [process_pool]
        min = 5
        max = 2
        [memory]
        small_blocks = -1
        [[task]]
        name = "t"
        run = "true"
        count = 0
        timeout = "400d"
        """)
        for key in ["queue.max_size", "queue.max_concurrency", "process_pool.min", "memory.small_blocks",
                    "task \"t\".count", "task \"t\".timeout"] {
            #expect(found.contains { $0.key == key }, "no error for \(key): \(found)")
        }
    }

    @Test func emptyCommandsAndMissingKeysAreRejected() {
        let found = issues("""
        [[task]]
        name = "a"
        run = "   "
        [[task]]
        name = "b"
        run = []
        [[task]]
        name = "c"
        [[phase]]
        run = "true"
        """)
        #expect(found.contains { $0.key == "task \"a\".run" && $0.message.contains("empty command") && $0.line == 3 })
        #expect(found.contains { $0.key == "task \"b\".run" && $0.message.contains("empty command") })
        #expect(found.contains { $0.key == "task \"c\".run" && $0.message.contains("missing required key 'run'") && $0.line == 7 })
        #expect(found.contains { $0.key == "phase[1].name" && $0.message.contains("missing required key 'name'") })
    }

    @Test func duplicateNamesAreRejected() {
        let found = issues("""
        [[task]]
        name = "lint"
        run = "true"
        [[task]]
        name = "lint"
        run = "false"
        [[phase]]
        name = "db"
        run = "true"
        [[phase]]
        name = "db"
        run = "true"
        """)
        #expect(found.contains { $0.key == "task \"lint\".name" && $0.message.contains("duplicate task name 'lint'") && $0.line == 5 })
        #expect(found.contains { $0.key == "phase \"db\".name" && $0.message.contains("duplicate phase name 'db'") && $0.line == 11 })
    }

    @Test func unknownDependenciesAndCyclesAreNamed() {
        let found = issues("""
        [[phase]]
        name = "a"
        run = "true"
        depends_on = ["c"]
        [[phase]]
        name = "b"
        run = "true"
        depends_on = ["a"]
        [[phase]]
        name = "c"
        run = "true"
        depends_on = ["b", "dbb"]
        [[phase]]
        name = "d"
        run = "true"
        depends_on = ["d"]
        """)
        #expect(found.contains { $0.message == "dependency cycle: a -> c -> b -> a" && $0.key == "phase \"a\".depends_on" && $0.line == 4 })
        #expect(found.contains { $0.key == "phase \"c\".depends_on" && $0.message.contains("unknown phase 'dbb'") })
        #expect(found.contains { $0.key == "phase \"d\".depends_on" && $0.message.contains("depends on itself") })
    }

    @Test func tableWhereAnArrayOfTablesBelongsIsExplained() {
        let found = issues("""
        [task]
        name = "x"
        run = "true"
        """)
        #expect(found.contains { $0.key == "task" && $0.message.contains("write [[task]]") && $0.line == 1 })
    }

    @Test func syntaxErrorsCarryTheirLine() {
        let found = issues("""
        [queue]
        max_size = 10
        max_concurrency = = 3
        """)
        #expect(found.count == 1)
        #expect(found.first?.line == 3)
        #expect(found.first?.message.contains("TOML syntax error") == true)
    }

    @Test func everyProblemIsReportedNotOnlyTheFirst() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples/broken.toml")
        do {
            _ = try ConfigurationLoader.load(path: url.path)
            Issue.record("Examples/broken.toml must not load")
        } catch {
            #expect(error.issues.count >= 10)
            #expect(error.issues.allSatisfy { $0.line != nil })
            #expect(error.description.contains("broken.toml:5: queue.max_size"))
        }
    }

    @Test func badEnvironmentEntriesAndPrioritiesAreRejected() {
        let found = issues("""
        [[task]]
        name = "t"
        run = "true"
        env = ["1BAD=x", "GOOD=1"]
        priority = "urgent"
        """)
        #expect(found.contains { $0.key == "task \"t\".env" && $0.message.contains("1BAD=x") })
        #expect(found.contains { $0.key == "task \"t\".priority" && $0.message.contains("unknown priority 'urgent'") })
    }

    @Test func missingFileIsAClearError() {
        #expect(throws: ConfigurationError.self) { try ConfigurationLoader.load(path: "/nonexistent/work.toml") }
    }

    @Test func shippedExamplesAndTheDemoAreValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for name in ["demo", "ci", "failing", "remote-cache"] {
            _ = try ConfigurationLoader.load(path: root.appendingPathComponent("Examples/\(name).toml").path)
        }
        let demo = try DemoWorkload.configuration()
        let file = try ConfigurationLoader.load(path: root.appendingPathComponent("Examples/demo.toml").path)
        #expect(Array(demo.tasks.prefix(file.tasks.count)) == file.tasks)
        #expect(demo.phases == file.phases)
        #expect(demo.queue == file.queue)
    }

    @Test func remoteKeysAreRead() throws {
        let config = try ConfigurationLoader.parse("""
        [cache]
        remote = "http://127.0.0.1:9090/cache"
        remote_mode = "read"
        remote_token_env = "CACHE_TOKEN"
        remote_timeout = "2s"
        remote_cooldown = "10s"
        """)
        #expect(config.cache.remoteMode == .read)
        #expect(config.cache.remoteTokenEnv == "CACHE_TOKEN")
        #expect(config.cache.remoteTimeout == .seconds(2))
        #expect(config.cache.remoteCoolDown == .seconds(10))
        #expect(try ConfigurationLoader.parse("[cache]\nremote = \"http://h/c\"").cache.remoteMode == .readWrite)
    }

    @Test func badRemoteKeysAreClearErrors() {
        let found = issues("""
        [cache]
        remote = "http://127.0.0.1:9090/cache"
        remote_mode = "readonly"
        remote_token_env = "Bearer abc123"
        remote_timeout = 5
        """)
        let mode = found.first { $0.key == "cache.remote_mode" }
        #expect(mode?.line == 3)
        #expect(mode?.message.contains("readwrite, read, off") == true)
        let token = found.first { $0.key == "cache.remote_token_env" }
        #expect(token?.message.contains("not an environment variable name") == true)
        #expect(found.contains { $0.key == "cache.remote_timeout" })
        let orphan = issues("[cache]\nremote_token_env = \"TOKEN\"")
        #expect(orphan.first?.message.contains("has no effect without cache.remote") == true)
    }
}

@Suite(.watchdog) struct KeyBindingConfigurationTests {
    @Test func keysAreReadAndUnknownActionsRejected() throws {
        let config = try ConfigurationLoader.parse("[keys]\nquit = \"x\"\npause = \"Space\"\n")
        #expect(config.keys == ["quit": "x", "pause": "Space"])
        do {
            _ = try ConfigurationLoader.parse("[keys]\nqiut = \"x\"\n")
            Issue.record("an unknown action must be rejected")
        } catch {
            #expect(error.issues.first?.message.contains("did you mean 'quit'") == true)
            #expect(error.issues.first?.line == 2)
        }
    }

}
