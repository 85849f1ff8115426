import ArgumentParser
import CyberneticEngine

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a workload file and print every problem found."
    )

    @Option(name: .long, help: "The workload file (TOML).")
    var config: String

    func run() async throws {
        let configuration = try loadConfiguration(config)
        Console.out("\(config): ok (\(configuration.phases.count) phases, \(configuration.tasks.count) tasks)")
    }
}
