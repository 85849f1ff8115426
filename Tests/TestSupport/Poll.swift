import Foundation

/// The one way tests wait for something to become true.
///
/// Swift's concurrency pool has as many threads as cores (two on the CI machine) and every test of
/// the run shares them. A wait that sleeps its thread (`usleep`, `Thread.sleep`, a blocking
/// `waitpid`) takes one of the two away from every other test for as long as it waits; under a
/// sanitizer that is minutes, and engine tests then see their commands' time limits pass with
/// nothing read. `Task.sleep` gives the thread back between checks.
public enum Poll {
    /// Checks `condition` every `pause` until it holds or `timeout` (stretched by
    /// `Sanitized.timeScale`) passes; returns whether it held, checking one last time at the end.
    public static func until(_ timeout: Duration, every pause: Duration = .milliseconds(50),
                             _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + Sanitized.scaled(timeout)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: pause)
        }
        return try await condition()
    }

    /// `until` on a thread of its own, for a condition that holds only for a moment (a file
    /// while it is written). On a busy pool a `Task.sleep` of half a millisecond oversleeps such
    /// a moment (under AddressSanitizer every aimed check missed it); a thread outside the pool
    /// polls on time and still takes no thread from the other tests.
    public static func closely(_ timeout: Duration, every pause: Duration,
                               _ condition: @escaping @Sendable () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + Sanitized.scaled(timeout)
        let micros = UInt32(max(1, pause.components.seconds * 1_000_000 + pause.components.attoseconds / 1_000_000_000_000))
        return await withCheckedContinuation { continuation in
            Thread {
                var held = condition()
                while !held, ContinuousClock.now < deadline {
                    usleep(micros)
                    held = condition()
                }
                continuation.resume(returning: held)
            }.start()
        }
    }
}
