import ArgumentParser
import CyberneticEngine
import Foundation

@main
struct Cybernetic: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cybernetic",
        abstract: "A self-optimizing command runtime with a live control room.",
        discussion: """
        With no subcommand, runs a workload: the interactive dashboard on a terminal, headless \
        otherwise (or with --headless). Without --config the built-in demo workload runs.

        Exit codes: 0 all good; 1 a phase, health check or task failed; 2 usage or configuration \
        error; 3 --fail-on-regression and an A/B test found the optimized arm slower; 130/143 \
        stopped by SIGINT/SIGTERM.
        """,
        version: "0.1.0",
        subcommands: [RunCommand.self, ExecCommand.self, CheckCommand.self],
        defaultSubcommand: RunCommand.self
    )

    /// Like ArgumentParser's own `main`, but usage errors exit 2, as the design's contract says.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                print(message)
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data((message + "\n").utf8))
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

/// Loads `--config FILE`, or the demo, printing every problem and exiting 2 when it is invalid.
func loadConfiguration(_ path: String?) throws -> Configuration {
    do {
        if let path { return try ConfigurationLoader.load(path: path) }
        return try DemoWorkload.configuration()
    } catch {
        Console.error(error.description)
        throw ExitCode(2)
    }
}

enum Console {
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
}
