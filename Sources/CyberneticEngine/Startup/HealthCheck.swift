import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A readiness probe retried until it passes or the deadline comes: a command (exit 0 passes)
/// or `tcp://host:port` (a TCP connection is accepted).
struct HealthCheck {
    enum Probe {
        case command(String)
        case tcp(host: String, port: UInt16)
    }

    let probe: Probe
    let text: String

    init(_ text: String) {
        self.text = text
        if text.hasPrefix("tcp://"), let url = URL(string: text), let host = url.host, let port = url.port,
           let port16 = UInt16(exactly: port) {
            probe = .tcp(host: host, port: port16)
        } else {
            probe = .command(text)
        }
    }

    var isCommand: Bool {
        if case .command = probe { true } else { false }
    }

    /// Returns nil once the probe passes, or why it never did.
    func wait(until deadline: ContinuousClock.Instant, clock: ContinuousClock) async -> String? {
        var lastError = "health check did not pass"
        while !Task.isCancelled {
            let remaining = deadline - clock.now
            if remaining <= .zero { break }
            switch probe {
            case .command(let script):
                let result = await CommandRunner.run(CommandRequest(argv: ["/bin/sh", "-c", script], timeout: min(remaining, .seconds(10))))
                if result.outcome.succeeded { return nil }
                lastError = "health check '\(text)' failed: \(result.outcome.summary)"
            case .tcp(let host, let port):
                if Self.connects(host: host, port: port) { return nil }
                lastError = "health check \(text): connection refused"
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return lastError + " before the phase's timeout"
    }

    static func connects(host: String, port: UInt16) -> Bool {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &results) == 0, let first = results else { return false }
        defer { freeaddrinfo(results) }
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd >= 0 {
                let ok = connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0
                close(fd)
                if ok { return true }
            }
            entry = info.pointee.ai_next
        }
        return false
    }
}
