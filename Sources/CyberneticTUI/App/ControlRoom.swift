import CyberneticEngine
import Foundation
import Synchronization

/// The interactive dashboard. It reads only snapshots and sends only controls: the engine does
/// not know it exists. All ncurses work happens on one dedicated thread, so a blocking `poll`
/// never occupies one of Swift's few cooperative threads.
///
/// Use: `open()` (fails cleanly when there is no terminal, before anything has started), then
/// `run(snapshots:perform:)` until the user quits; `requestQuit` from signal handlers.
public final class ControlRoom: Sendable {
    public struct Options: Sendable {
        public var theme: Theme
        public var keyMap: KeyMap
        public var catalog: ThemeCatalog

        public init(theme: Theme = ThemeCatalog.default, keyMap: KeyMap = .standard, catalog: ThemeCatalog = ThemeCatalog()) {
            self.theme = theme
            self.keyMap = keyMap
            self.catalog = catalog
        }
    }

    public enum QuitReason: Sendable, Equatable {
        case user
        case signal(Int32)
    }

    public struct OpenFailure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    typealias Perform = @Sendable (Control) async throws -> Void

    let inbox = Inbox()
    let options: Options
    private let performer = Mutex<Perform?>(nil)
    private let completion = Mutex<Completion>(.running)

    private enum Completion {
        case running
        case waiting(CheckedContinuation<QuitReason, Never>)
        case done(QuitReason)
    }

    public init(options: Options) {
        self.options = options
    }

    /// Takes over the terminal; throws when there is none to take (the caller then runs headless).
    public func open() async throws(OpenFailure) {
        let opened: String? = await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
            let thread = Thread { [self] in
                setlocale(LC_ALL, "")
                let terminal: Terminal
                do {
                    terminal = try Terminal()
                } catch {
                    continuation.resume(returning: String(describing: error))
                    return
                }
                continuation.resume(returning: nil)
                let reason = UILoop(room: self, terminal: terminal).run()
                terminal.close()
                finish(reason)
            }
            thread.name = "cybernetic-tui"
            thread.start()
        }
        if let opened { throw OpenFailure(description: opened) }
    }

    /// Shows `snapshots` and sends controls through `perform` until the user quits (or
    /// `requestQuit`); by then the terminal is restored.
    public func run(snapshots: AsyncStream<EngineSnapshot>,
                    perform: @escaping @Sendable (Control) async throws -> Void) async -> QuitReason {
        performer.withLock { $0 = perform }
        let inbox = self.inbox
        let feed = Task {
            for await snapshot in snapshots { inbox.post(snapshot: snapshot) }
            inbox.postStreamEnded()
        }
        defer { feed.cancel() }
        return await withCheckedContinuation { continuation in
            let done: QuitReason? = completion.withLock { state in
                if case .done(let reason) = state { return reason }
                state = .waiting(continuation)
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    /// Ends the dashboard from outside (SIGINT, SIGTERM); the terminal is restored first.
    public func requestQuit(_ reason: QuitReason) {
        inbox.post(quit: reason)
    }

    /// Sends a control on behalf of the UI thread and reports the outcome as a toast.
    func send(_ control: Control, done: String) {
        guard let perform = performer.withLock({ $0 }) else {
            inbox.post(notice: "the engine is not running yet", kind: .error)
            return
        }
        let inbox = self.inbox
        Task {
            do {
                try await perform(control)
                inbox.post(notice: done, kind: .info)
            } catch {
                inbox.post(notice: SafeText.line(String(describing: error)), kind: .error)
            }
        }
    }

    private func finish(_ reason: QuitReason) {
        let waiter: CheckedContinuation<QuitReason, Never>? = completion.withLock { state in
            defer { state = .done(reason) }
            if case .waiting(let continuation) = state { return continuation }
            return nil
        }
        waiter?.resume(returning: reason)
    }
}
