import ArgumentParser
import CyberneticEngine
import CyberneticTUI

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a workload file and print every problem found."
    )

    @Option(name: .long, help: "The workload file (TOML).")
    var config: String

    func run() async throws {
        let configuration = try loadConfiguration(config)
        // Key names are the dashboard's vocabulary; checked here too so `check` catches them before a run.
        do {
            _ = try KeyMap.standard.rebinding(configuration.keys)
        } catch {
            Console.error("\(config): [keys] \(error)")
            throw ExitCode(2)
        }
        Console.out("\(config): ok (\(configuration.phases.count) phases, \(configuration.tasks.count) tasks)")
    }
}
