import CyberneticEngine
import Foundation
import Synchronization

/// Where the async side (snapshot stream, finished controls, signal handlers) leaves things for
/// the UI thread, with a self-pipe to wake its `poll` so nothing waits on a timer.
final class Inbox: Sendable {
    struct Mail: Sendable {
        var snapshot: EngineSnapshot?
        var notices: [(text: String, kind: Toast.Kind)] = []
        var quit: ControlRoom.QuitReason?
        var streamEnded = false
    }

    private let mail = Mutex(Mail())
    let wakeDescriptor: Int32
    private let wakeWriter: Int32

    init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        }
        wakeDescriptor = fds[0]
        wakeWriter = fds[1]
    }

    deinit {
        close(wakeDescriptor)
        close(wakeWriter)
    }

    func post(snapshot: EngineSnapshot) {
        mail.withLock { $0.snapshot = snapshot }
        wake()
    }

    func post(notice: String, kind: Toast.Kind) {
        mail.withLock { $0.notices.append((notice, kind)) }
        wake()
    }

    func post(quit reason: ControlRoom.QuitReason) {
        mail.withLock { if $0.quit == nil { $0.quit = reason } }
        wake()
    }

    func postStreamEnded() {
        mail.withLock { $0.streamEnded = true }
        wake()
    }

    /// Everything posted since the last call.
    func take() -> Mail {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeDescriptor, &buffer, buffer.count) > 0 {}
        return mail.withLock { mail in
            defer {
                mail.snapshot = nil
                mail.notices.removeAll()
                mail.streamEnded = false
            }
            return mail
        }
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWriter, &byte, 1)
    }
}
