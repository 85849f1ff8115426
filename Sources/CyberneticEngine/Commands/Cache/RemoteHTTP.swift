import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// HTTP for the remote tier, on FoundationNetworking's `URLSession` (libcurl underneath), which
/// ships with the toolchain: no package to build, no CI minutes (async-http-client would add
/// SwiftNIO, several minutes per cold build on two cores, for a handful of GETs and PUTs).
///
/// Every request has its own deadline, is retried with backoff when the failure may pass (no
/// answer, a timeout, 5xx, 429), and asks the circuit breaker first, so a dead server costs a
/// few timeouts and then nothing until the breaker lets a trial through.
struct RemoteHTTP: Sendable {
    enum Reply: Sendable, Equatable {
        case ok(Data)
        case notFound
        /// The server answered no (401, 403, 413...): it is up, the request is wrong.
        case refused(Int)
        /// No usable answer after the retries (or the circuit opened meanwhile).
        case failed(String)
        /// The circuit is open: nothing was sent.
        case skipped
    }

    /// What happened on the wire, for the tier's counters and events.
    enum Observation: Sendable {
        case transferred(up: Int, down: Int)
        case attemptFailed(String)
        case circuit(CircuitState)
    }

    let base: URL
    let token: String?
    let timeout: Duration
    let retries: Int
    let breaker: CircuitBreaker
    let observe: @Sendable (Observation) -> Void
    private let session: URLSession

    init(base: URL, token: String?, timeout: Duration, retries: Int = 2, breaker: CircuitBreaker,
         observe: @escaping @Sendable (Observation) -> Void) {
        self.base = base
        self.token = token
        self.timeout = timeout
        self.retries = retries
        self.breaker = breaker
        self.observe = observe
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.timeoutIntervalForRequest = timeout.seconds
        configuration.httpMaximumConnectionsPerHost = 8
        session = URLSession(configuration: configuration)
    }

    func get(_ path: String, retrying: Bool = true) async -> Reply { await send("GET", path, body: nil, retrying: retrying) }
    func head(_ path: String, retrying: Bool = true) async -> Reply { await send("HEAD", path, body: nil, retrying: retrying) }
    func put(_ path: String, _ body: Data, retrying: Bool = true) async -> Reply {
        await send("PUT", path, body: body, retrying: retrying)
    }

    /// A timed-out attempt is not retried: it has already used the whole budget, and a server
    /// that is slow now is slow again in 50 ms. Refused connections and 5xx are retried.
    private func send(_ method: String, _ path: String, body: Data?, retrying: Bool) async -> Reply {
        var request = URLRequest(url: base.appendingPathComponent(path))
        request.httpMethod = method
        request.timeoutInterval = timeout.seconds
        request.cachePolicy = .reloadIgnoringLocalCacheData
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = body
            request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
        }
        var lastFailure = "not sent"
        for attempt in 0...(retrying ? retries : 0) {
            if attempt > 0 {
                // 50 ms, 200 ms, ... with jitter, so clients that failed together do not retry together.
                let base = 50.0 * pow(4.0, Double(attempt - 1))
                try? await Task.sleep(for: .milliseconds(Int(base * Double.random(in: 0.5...1.5))))
            }
            guard breaker.allowsRequest else { return attempt == 0 ? .skipped : .failed(lastFailure) }
            let (data, status, error) = await exchange(request)
            if let status {
                observe(.transferred(up: body?.count ?? 0, down: data?.count ?? 0))
                switch status {
                case 200..<300:
                    succeeded()
                    return .ok(data ?? Data())
                case 404:
                    succeeded()
                    return .notFound
                case 429, 500...:
                    lastFailure = "\(method) answered \(status)"
                default:
                    succeeded()
                    return .refused(status)
                }
            } else {
                lastFailure = "\(method) failed: \(error ?? "no answer")"
            }
            observe(.attemptFailed(lastFailure))
            if let change = breaker.recordFailure() { observe(.circuit(change)) }
            if error == Self.timedOut { break }
        }
        return .failed(lastFailure)
    }

    static let timedOut = "timed out"

    private func succeeded() {
        if let change = breaker.recordSuccess() { observe(.circuit(change)) }
    }

    /// One attempt, ended by our own timer as well as URLSession's: a server that accepts the
    /// connection and then says nothing must not hold a task longer than the deadline.
    private func exchange(_ request: URLRequest) async -> (Data?, Int?, String?) {
        let timer = TimerSlot()
        let result: (Data?, Int?, String?) = await withCheckedContinuation { continuation in
            let task = session.dataTask(with: request) { data, response, error in
                timer.cancel()
                // An error with a response (cut off mid-body, our deadline) is a failed attempt:
                // part of a body is never handed on as if it were all of it.
                if error == nil, let http = response as? HTTPURLResponse {
                    continuation.resume(returning: (data, http.statusCode, nil))
                } else {
                    continuation.resume(returning: (nil, nil, error.map(Self.describe) ?? "no HTTP response"))
                }
            }
            let handle = UncheckedTask(task: task)
            let deadline = timeout
            timer.set(Task {
                try? await Task.sleep(for: deadline)
                if !Task.isCancelled { handle.task.cancel() }
            })
            task.resume()
        }
        return result
    }

    private static func describe(_ error: any Error) -> String {
        let error = error as NSError
        if error.domain == NSURLErrorDomain && (error.code == NSURLErrorCancelled || error.code == NSURLErrorTimedOut) {
            return timedOut
        }
        return error.localizedDescription
    }
}

/// The deadline timer of one attempt, cancelled when the answer arrives first.
private final class TimerSlot: Sendable {
    private let task = Mutex<Task<Void, Never>?>(nil)
    func set(_ timer: Task<Void, Never>) { task.withLock { $0 = timer } }
    func cancel() { task.withLock { $0?.cancel() } }
}

/// URLSessionTask is thread-safe to cancel but not marked Sendable on every platform.
private struct UncheckedTask: @unchecked Sendable {
    let task: URLSessionDataTask
}
