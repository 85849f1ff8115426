import CyberneticEngine
import Foundation

/// The UI thread's loop: wait for a key, a snapshot or a toast to expire; update; draw. It draws
/// only when something on screen changed: a snapshot that differs from the last one in more than
/// its clock, a key, a toast, or a new second for the header's uptime. An idle engine still sends
/// ten snapshots a second; drawing each one cost a steady share of a core for an unchanged screen.
final class UILoop {
    private let room: ControlRoom
    private let terminal: Terminal
    private let dashboard: Dashboard
    private var context: RenderContext
    private var snapshot: EngineSnapshot?
    private var histories = Histories()
    private var view = ViewState()
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant

    init(room: ControlRoom, terminal: Terminal) {
        self.room = room
        self.terminal = terminal
        dashboard = Dashboard(keyMap: room.options.keyMap)
        context = RenderContext(theme: room.options.theme, glyphs: terminal.utf8 ? .unicode : .ascii,
                                colors: terminal.colorMode != .none)
        start = clock.now
    }

    private var nowMs: Int64 { (clock.now - start).milliseconds }

    func run() -> ControlRoom.QuitReason {
        var dirty = true
        while true {
            if dirty {
                draw()
                dirty = false
            }
            wait()
            let mail = room.inbox.take()
            if let quit = mail.quit { return quit }
            if let s = mail.snapshot {
                if snapshot.map({ !Self.sameContent($0, s) || $0.uptimeMs / 1000 != s.uptimeMs / 1000 }) ?? true { dirty = true }
                snapshot = s
                histories.record(s)
            }
            if mail.streamEnded { show("the engine has stopped; q quits", .info) ; dirty = true }
            for notice in mail.notices {
                show(notice.text, notice.kind)
                dirty = true
            }
            for key in terminal.readKeys() {
                dirty = true
                if key == .resize { continue }
                guard let action = dashboard.keyMap.action(for: key) else { continue }
                if let reason = handle(action) { return reason }
            }
            if let toast = view.toast, toast.expiresAtMs <= nowMs {
                view.toast = nil
                dirty = true
            }
        }
    }

    /// Equal but for the fields that change with every snapshot even when nothing happens.
    static func sameContent(_ a: EngineSnapshot, _ b: EngineSnapshot) -> Bool {
        var b = b
        b.sequence = a.sequence
        b.time = a.time
        b.uptimeMs = a.uptimeMs
        return a == b
    }

    private func handle(_ action: Action) -> ControlRoom.QuitReason? {
        let (width, height) = terminal.size
        if Layout.compute(width: width, height: height, snapshot: snapshot) == nil, action != .quit { return nil }
        let limits = dashboard.limits(snapshot: snapshot, width: width, height: height)
        let page = dashboard.pageSize(for: view.focus, width: width, height: height)
        switch view.apply(action, snapshot: snapshot, limits: limits, pageSize: page) {
        case .quit?: return .user
        case .nextTheme?: nextTheme()
        case .perform(let control, let done)?: room.send(control, done: done)
        case nil: break
        }
        return nil
    }

    private func nextTheme() {
        let names = room.options.catalog.names()
        let current = names.firstIndex(of: context.theme.name) ?? -1
        let name = names[(current + 1) % names.count]
        do {
            let loaded = try room.options.catalog.load(name)
            context.theme = loaded.theme
            show("theme \(name)" + (loaded.problems.isEmpty ? "" : " (\(loaded.problems.count) lines skipped)"), .info)
        } catch {
            show(error.description, .error)
        }
    }

    private func show(_ text: String, _ kind: Toast.Kind) {
        view.toast = Toast(text, kind: kind, expiresAtMs: nowMs + (kind == .error ? 5000 : 2500))
    }

    private func draw() {
        let (width, height) = terminal.size
        let canvas = dashboard.render(snapshot: snapshot, histories: histories, view: view, context: context,
                                      width: width, height: height, themeName: context.theme.name)
        terminal.draw(canvas)
    }

    /// Sleeps until a key or a message arrives, a toast expires, or a quarter second passes (a
    /// SIGWINCH handled on another thread does not interrupt this poll, so resizes are picked up
    /// on the next wake-up at the latest).
    private func wait() {
        var timeout: Int64 = 250
        if let toast = view.toast { timeout = min(timeout, max(0, toast.expiresAtMs - nowMs)) }
        var fds = [pollfd(fd: terminal.inputDescriptor, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: room.inbox.wakeDescriptor, events: Int16(POLLIN), revents: 0)]
        _ = poll(&fds, nfds_t(fds.count), Int32(timeout))
    }
}

