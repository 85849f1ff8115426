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
}
