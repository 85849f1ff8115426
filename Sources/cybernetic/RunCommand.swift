import ArgumentParser
import CyberneticEngine
import CyberneticTUI
import Foundation

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a workload in the dashboard, or headless for CI (the default command)."
    )

    @Option(name: .long, help: "The workload file (TOML). Without it the built-in demo runs.")
    var config: String?

    @Option(name: .long, help: "Dashboard theme: a name from themes/ or a path to a btop theme file.")
    var theme: String?

    @Option(name: .long, parsing: .singleValue, help: "Override a flag: NAME=on|off (repeatable).")
    var flag: [String] = []

    @Flag(name: .long, help: "Run without the dashboard: event lines, status lines, a summary.")
    var headless = false

    @Option(name: .long, help: "Headless: stop after this many seconds.")
    var duration: Double?

    @Flag(name: .long, help: "Headless: stop once nothing is running or scheduled (the default when no --duration is given).")
    var untilIdle = false

    @Option(name: .long, help: "Headless: write the run report as JSON to this file.")
    var report: String?

    @Option(name: .long, help: "Headless: write a JUnit XML file with one test case per phase and task.")
    var junit: String?

    @Option(name: .long, help: "Headless: A/B-test this flag during the run.")
    var ab: String?

    @Flag(name: .long, help: "Headless: exit 3 when an A/B test finds the optimized arm significantly slower.")
    var failOnRegression = false

    @Option(name: .long, help: "Headless: seconds between status lines.")
    var statusInterval: Double = 5

    func validate() throws {
        if let duration, !(duration > 0 && duration <= 31_536_000) {
            throw ValidationError("--duration must be a positive number of seconds, got \(duration)")
        }
        if !(statusInterval > 0) { throw ValidationError("--status-interval must be positive") }
        for entry in flag { _ = try FlagOverride.parse(entry) }
    }

    func run() async throws {
        var configuration = try loadConfiguration(config)
        await OrphanGuard.arm()
        for entry in flag {
            let override = try FlagOverride.parse(entry)
            configuration.flags[override.flag] = override.enabled
        }
        if !headless && !Console.stdoutIsTerminal {
            Console.error("cybernetic: stdout is not a terminal; running headless")
        } else if !headless {
            let theme: Theme
            do { theme = try InteractiveRunner.loadTheme(self.theme) } catch { throw ExitCode(2) }
            if let code = await InteractiveRunner(configuration: configuration, theme: theme).run() {
                throw ExitCode(code)
            }
        }
        let runner = HeadlessRunner(
            engine: Engine(configuration: configuration),
            options: .init(duration: duration, report: report, junit: junit, abFlag: ab,
                           failOnRegression: failOnRegression, statusInterval: statusInterval)
        )
        throw ExitCode(await runner.run())
    }
}

struct FlagOverride {
    var flag: FeatureFlag
    var enabled: Bool

    static func parse(_ text: String) throws -> FlagOverride {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw ValidationError("--flag '\(text)' must look like NAME=on or NAME=off") }
        guard let flag = FeatureFlag(rawValue: parts[0]) else {
            throw ValidationError("--flag: \(EngineError.unknownFlag(parts[0]))")
        }
        switch parts[1].lowercased() {
        case "on", "true", "1", "yes": return FlagOverride(flag: flag, enabled: true)
        case "off", "false", "0", "no": return FlagOverride(flag: flag, enabled: false)
        default: throw ValidationError("--flag \(parts[0]): '\(parts[1])' is not on or off")
        }
    }
}
