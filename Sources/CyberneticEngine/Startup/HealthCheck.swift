import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A readiness probe retried until it passes or the deadline comes: a command (exit 0 passes),
/// `tcp://host:port` (a TCP connection is accepted) or `http://host:port/path` (a 2xx or 3xx answer).
struct HealthCheck {
    enum Probe {
        case command(String)
        case tcp(host: String, port: UInt16)
        case http(host: String, port: UInt16, path: String)
    }

    let probe: Probe
    let text: String

    init(_ text: String) {
        self.text = text
        if text.hasPrefix("tcp://"), let url = URL(string: text), let host = url.host, let port = url.port,
           let port16 = UInt16(exactly: port) {
            probe = .tcp(host: host, port: port16)
        } else if text.hasPrefix("http://"), let url = URL(string: text), let host = url.host {
            let path = url.path.isEmpty ? "/" : url.path + (url.query.map { "?\($0)" } ?? "")
            probe = .http(host: host, port: UInt16(exactly: url.port ?? 80) ?? 80, path: path)
        } else {
            probe = .command(text)
        }
    }

    var isCommand: Bool {
        if case .command = probe { true } else { false }
    }

    /// Returns nil once the probe passes, or why it never did.
    func wait(until deadline: ContinuousClock.Instant, clock: ContinuousClock,
              giveUpIf: @Sendable () -> Bool = { false }) async -> String? {
        var lastError = "health check did not pass"
        var attempts = 0
        while !Task.isCancelled {
            if giveUpIf() { return "the service exited before its health check passed" }
            // At least one attempt, even when the phase's command used up its time.
            let remaining = max(deadline - clock.now, attempts == 0 ? .seconds(1) : .zero)
            if remaining <= .zero { break }
            attempts += 1
            switch probe {
            case .command(let script):
                let result = await CommandRunner.run(CommandRequest(argv: ["/bin/sh", "-c", script], timeout: min(remaining, .seconds(10))))
                if result.outcome.succeeded { return nil }
                lastError = "health check '\(text)' failed: \(result.outcome.summary)"
            case .tcp(let host, let port):
                if let fd = Self.connect(host: host, port: port) {
                    close(fd)
                    return nil
                }
                lastError = "health check \(text): connection refused"
            case .http(let host, let port, let path):
                switch Self.httpStatus(host: host, port: port, path: path) {
                case .some(let status) where (200..<400).contains(status): return nil
                case .some(let status): lastError = "health check \(text) answered HTTP \(status)"
                case .none: lastError = "health check \(text): no HTTP answer"
                }
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return lastError + " before the phase's timeout"
    }

    /// A connected TCP socket, or nil. Receives time out after two seconds, so a silent server
    /// cannot hang the probe.
    static func connect(host: String, port: UInt16) -> Int32? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &results) == 0, let first = results else { return nil }
        defer { freeaddrinfo(results) }
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.pointee.ai_protocol)
            if fd >= 0 {
                var timeout = timeval(tv_sec: 2, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
                close(fd)
            }
            entry = info.pointee.ai_next
        }
        return nil
    }

    /// The status code of `GET path` over HTTP/1.0, or nil when there is no well-formed answer.
    static func httpStatus(host: String, port: UInt16, path: String) -> Int? {
        guard let fd = connect(host: host, port: port) else { return nil }
        defer { close(fd) }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: \(host):\(port)\r\nUser-Agent: cybernetic-health\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else { return nil }
        var buffer = [UInt8](repeating: 0, count: 512)
        var received = 0
        while received < buffer.count {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + received, $0.count - received, 0) }
            if n <= 0 { break }
            received += n
            if buffer[..<received].contains(0x0A) { break }
        }
        let line = String(decoding: buffer[..<received].prefix { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else { return nil }
        return status
    }
}
