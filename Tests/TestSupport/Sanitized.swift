import Foundation

/// What a test must allow for when the suite runs under a sanitizer (`Tests/Sanitizers/run.sh`).
public enum Sanitized {
    /// Extra resident memory, in MiB, on top of a test's bound. AddressSanitizer adds shadow
    /// memory, red zones around every allocation and a quarantine of freed memory, ThreadSanitizer
    /// shadow memory and access histories (tens of MiB more for the same program); a bound that
    /// holds for the product must not fail on that. Unbounded growth still fails: the bounds are
    /// checked against hundreds of MiB of output. `run.sh` sets CYBERNETIC_TEST_MEMORY_SLACK_MIB
    /// for both; 0 otherwise.
    public static var memorySlackMiB: Int {
        ProcessInfo.processInfo.environment["CYBERNETIC_TEST_MEMORY_SLACK_MIB"].flatMap(Int.init) ?? 0
    }

    /// How many times longer than in a plain run the tests allow things to take. Instrumented code
    /// (and every `cybernetic` process a test starts, built the same way) runs several times
    /// slower, while the whole suite shares two cores: a wait or a time limit that is generous for
    /// the product is not for the product under a sanitizer. `run.sh` sets
    /// CYBERNETIC_TEST_TIME_SCALE; a plain run is 1, so normal runs are not loosened. Only upper
    /// bounds (waits, deadlines, the time limits of commands a test expects to finish) are scaled,
    /// never a time a test expects to pass (a timeout it wants to fire).
    public static let timeScale: Double = {
        guard let text = ProcessInfo.processInfo.environment["CYBERNETIC_TEST_TIME_SCALE"],
              let scale = Double(text), scale.isFinite, scale >= 1 else { return 1 }
        return scale
    }()

    /// `limit` stretched by `timeScale`.
    public static func scaled(_ limit: Duration) -> Duration {
        timeScale == 1 ? limit : limit * timeScale
    }

    /// The time limit for work a test expects to finish (a command's default 30 s): at least two
    /// minutes, stretched by `timeScale`. In-process engine tests read their commands' output on
    /// the concurrency pool every test shares, and CPU-heavy tests beside them have held both of
    /// its threads for half a minute on a loaded machine, so a 5 MB flood "timed out" unread. A
    /// limit no test wants to fire must not fire for that; a hung command still fails.
    public static func finishing(_ limit: Duration) -> Duration {
        scaled(max(limit, .seconds(120)))
    }

    /// `seconds` stretched by `timeScale`, for APIs that take a `TimeInterval`.
    public static func scaled(seconds: Double) -> Double {
        seconds * timeScale
    }

    /// A limit for a workload file (`timeout = "..."`), stretched by `timeScale`: "30s" in a plain run.
    public static func workload(_ limit: Duration) -> String {
        let scaled = scaled(limit)
        let milliseconds = scaled.components.seconds * 1000 + scaled.components.attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }
}
