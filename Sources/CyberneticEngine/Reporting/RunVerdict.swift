/// The exit code a finished run deserves, shared by headless mode and the dashboard so both
/// answer a script the same way.
public enum RunVerdict {
    /// 1 when start-up failed or any run failed, timed out or was rejected; 3 when asked to fail on
    /// a regression and an A/B test found the optimized arm worse; 0 otherwise.
    public static func exitCode(for snapshot: EngineSnapshot, failOnRegression: Bool = false) -> Int32 {
        if snapshot.startup.state == .failed || snapshot.startup.state == .rolledBack { return 1 }
        let t = snapshot.totals
        if t.failed + t.timedOut + t.rejected > 0 { return 1 }
        if failOnRegression && snapshot.optimizations.abTests.contains(where: { $0.verdict == "worse" }) { return 3 }
        return 0
    }
}
