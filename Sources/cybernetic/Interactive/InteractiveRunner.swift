import CyberneticEngine
import CyberneticTUI
import Foundation
import UnixSignals

/// Runs the workload under the control room. It stays open after the workload goes idle, until
/// the user quits; the exit code then follows the same rules as headless mode.
struct InteractiveRunner {
    let configuration: Configuration
    let theme: Theme

    /// Loads `--theme NAME|PATH`, reporting skipped lines on stderr. Exits 2 when there is no
    /// such theme: a typo should not silently give another look.
    static func loadTheme(_ nameOrPath: String?) throws -> Theme {
        guard let nameOrPath else { return ThemeCatalog.default }
        do {
            let loaded = try ThemeCatalog().load(nameOrPath)
            for problem in loaded.problems { Console.error("cybernetic: theme \(nameOrPath): \(problem) (skipped)") }
            return loaded.theme
        } catch {
            Console.error("cybernetic: --theme: \(error)")
            throw ExitCodeError.usage
        }
    }

    enum ExitCodeError: Error { case usage }

    /// The standard keys with the workload's `[keys]` table applied. The engine has already
    /// checked the action names; only the TUI knows which key names exist, so a bad one is
    /// caught here, before the terminal is taken over, as a usage error.
    static func keyMap(_ configuration: Configuration) throws(ExitCodeError) -> KeyMap {
        do {
            return try KeyMap.standard.rebinding(configuration.keys)
        } catch {
            Console.error("cybernetic: \(configuration.source): \(error)")
            throw .usage
        }
    }

    /// The exit code, or nil when no terminal could be opened (the caller runs headless).
    func run() async -> Int32? {
        let keyMap: KeyMap
        do { keyMap = try Self.keyMap(configuration) } catch { return 2 }
        // Trapping the signals before ncurses starts keeps ncurses from installing its own
        // SIGINT/SIGTERM handlers, so the control room decides how to leave the terminal.
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        let room = ControlRoom(options: .init(theme: theme, keyMap: keyMap))
        do {
            try await room.open()
        } catch {
            Console.error("cybernetic: cannot open the dashboard (\(error)); running headless")
            return nil
        }
        let engine = Engine(configuration: configuration)
        let snapshots = engine.snapshots()
        let engineTask = Task { try? await engine.run() }
        let signalTask = Task {
            for await signal in signals {
                room.requestQuit(.signal(signal == .sigint ? 130 : 143))
            }
        }
        let reason = await room.run(snapshots: snapshots) { control in try await engine.perform(control) }
        engine.stop()
        await engineTask.value
        signalTask.cancel()
        let final = engine.snapshot()
        let code: Int32 = switch reason {
        case .signal(let code): code
        case .user: RunVerdict.exitCode(for: final)
        }
        let t = final.totals
        Console.out("cybernetic: \(t.completed) tasks completed, \(t.failed) failed, \(t.timedOut) timed out; exit \(code)")
        return code
    }
}
