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

    @Flag(name: .long, help: "Print how the command ran (time, path taken) to stderr.")
    var stats = false

    @Option(name: .long, help: "Stop the command after this long (e.g. 30s, 5m).")
    var timeout: String?

    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments, after --.")
    var command: [String]

    mutating func validate() throws {
        if command.first == "--" { command.removeFirst() }
        guard !command.isEmpty else { throw ValidationError("exec needs a command: cybernetic exec -- COMMAND [ARGS...]") }
        if let timeout, DurationText.parse(timeout) == nil {
            throw ValidationError("--timeout '\(timeout)' is not a duration; write it like 250ms, 30s or 5m")
        }
    }

    func run() async throws {
        let argv = command.first == "--" ? Array(command.dropFirst()) : command
        let limit = timeout.flatMap(DurationText.parse) ?? .seconds(86_400)
        let request = CommandRequest(argv: argv, timeout: limit, outputLimit: 0, passThrough: true)
        let result = await withInterruptForwarding { await CommandRunner.run(request) }
        if case .failedToStart(let reason) = result.outcome { Console.error("cybernetic: \(reason)") }
        if result.outcome == .timedOut { Console.error("cybernetic: \(argv[0]) timed out after \(timeout ?? "")") }
        if stats {
            let ms = Double(result.duration.milliseconds)
            Console.error("cybernetic: \(result.outcome.summary) in \(ms) ms · spawned directly · cache: not available yet")
        }
        throw ExitCode(result.outcome.shellExitCode)
    }
}
