@testable import CyberneticEngine
import CyberneticTUI
import Foundation
import Testing
import TestSupport

@Suite("Secret values never reach the dashboard", .watchdog)
struct SecretRedactionTests {
    @Test("a registered secret in an event, its detail, a task's command or the source is shown redacted")
    func redactedEverywhere() {
        let secret = "s3cr3t-\(UUID().uuidString.prefix(8))"
        Secrets.register([secret])
        var task = TaskStats(name: "deploy", command: "curl -H 'X-Token: \(secret)' https://x")
        task.runs = 1
        let events = [Fixture.event(1, "task deploy failed: \(secret)", level: .error,
                                    detail: "401 for token \(secret)\nretry")]
        var snapshot = Fixture.snapshot(events: events, tasks: [task])
        snapshot.source = "\(secret).toml"
        let text = Fixture.dashboard(width: 200, height: 60, snapshot: snapshot).plainText
        #expect(!text.contains(secret))
        #expect(text.contains("[redacted]"))
    }
}
