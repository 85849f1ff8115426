import Foundation

/// What a test must allow for when the suite runs under a sanitizer (`Tests/Sanitizers/run.sh`).
public enum Sanitized {
    /// Extra resident memory, in MiB, on top of a test's bound. AddressSanitizer adds shadow
    /// memory, red zones around every allocation and a quarantine of freed memory (tens of MiB
    /// more for the same program); a bound that holds for the product must not fail on that.
    /// Unbounded growth still fails: the bounds are checked against hundreds of MiB of output.
    /// `run.sh address` sets CYBERNETIC_TEST_MEMORY_SLACK_MIB; 0 otherwise.
    public static var memorySlackMiB: Int {
        ProcessInfo.processInfo.environment["CYBERNETIC_TEST_MEMORY_SLACK_MIB"].flatMap(Int.init) ?? 0
    }
}
