@testable import CyberneticEngine
import Testing
import TestSupport

@Suite(.watchdog) struct RunVerdictTests {
    @Test func aWorseArmFailsTheRunOnlyWhenAsked() {
        var snapshot = Ledger(configuration: Configuration()).snapshot(sequence: 1, uptime: .seconds(1), source: "test")
        snapshot.startup.state = .ready
        #expect(RunVerdict.exitCode(for: snapshot, failOnRegression: true) == 0)
        snapshot.optimizations.abTests = [ABTestResult(flag: "process_pool", verdict: "worse", pValue: 0.001, nA: 40, nB: 40)]
        #expect(RunVerdict.exitCode(for: snapshot, failOnRegression: false) == 0)
        #expect(RunVerdict.exitCode(for: snapshot, failOnRegression: true) == 3)
        snapshot.optimizations.abTests[0].verdict = "no difference"
        #expect(RunVerdict.exitCode(for: snapshot, failOnRegression: true) == 0)
        snapshot.totals.failed = 1
        #expect(RunVerdict.exitCode(for: snapshot, failOnRegression: true) == 1)
    }
}
