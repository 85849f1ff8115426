import CyberneticEngine
import Foundation
import Testing
import TestSupport

/// The networking phase checks the remote tier; a server that is not there costs a warning and
/// the circuit opens, the workload runs from the local tiers.
@Suite(.watchdog) struct RemoteCacheStartupTests {
    @Test func startUpChecksTheTierAndAnUnreachableServerOnlyWarns() async throws {
        var config = Configuration()
        let work = try temporaryDirectory()
        config.cache.directory = work.appendingPathComponent("cache").path
        config.cache.remote = "http://127.0.0.1:\(unusedPort())/cache"
        config.cache.remoteTimeout = .seconds(2)
        config.tasks = [TaskSpec(name: "hello", run: .shell("echo hello"))]
        let engine = Engine(configuration: config)
        let snapshot = try await engine.runUntilIdle()
        #expect(snapshot.totals.completed == 1, "the workload runs without its remote tier")
        let phase = try #require(snapshot.startup.phases.first { $0.name == "engine:networking" })
        #expect(phase.note?.contains("unreachable") == true, "\(phase)")
        #expect(snapshot.events.contains { $0.level == .warning && $0.message.contains("local tiers only") })
        #expect(snapshot.cache.tiers.first { $0.name == "remote" }?.circuit == .open)
    }
}

/// A loopback port nobody listens on: bound, read, closed.
private func unusedPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
