@testable import CyberneticEngine
import Foundation
import Testing
import TestSupport

/// The disk tier's own count of entries and bytes is what `max_disk` is enforced on and what the
/// Cache pane shows: after every store, expiry, corruption and eviction it must equal the folder.
@Suite(.watchdog) struct DiskCacheUsageTests {
    /// Entries and bytes as a listing of the folder finds them.
    static func listed(_ root: URL) -> DiskCache.Usage {
        var usage = DiskCache.Usage()
        for (folder, isAction) in [("ac", true), ("cas", false)] {
            let dir = root.appendingPathComponent(folder)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [] {
                let size = (try? FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent(name).path)[.size] as? Int) ?? 0
                usage.bytes += size
                if isAction { usage.entries += 1 }
            }
        }
        return usage
    }

    static func result(_ index: Int, size: Int = 8 << 10) -> CachedResult {
        CachedResult(exitCode: 0, stdout: (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) }, stderr: Array("run \(index)".utf8))
    }

    @Test func theCountFollowsStoresReplacementsExpiryAndCorruption() throws {
        let root = try temporaryDirectory()
        let disk = DiskCache(root: root, ttl: .seconds(60), maxBytes: 1 << 30)
        try disk.prepare()
        for index in 0..<5 { try disk.store("key\(index)", Self.result(index)) }
        #expect(disk.usage.entries == 5)
        #expect(disk.usage == Self.listed(root))

        // The same key again replaces its action file: still five entries, bytes exact.
        try disk.store("key0", Self.result(0))
        #expect(disk.usage == Self.listed(root))
        #expect(disk.usage.entries == 5)

        // Expired: the action file goes and the count with it.
        guard case .expired = disk.lookup("key1", now: Date().addingTimeInterval(120)) else {
            Issue.record("an entry past its TTL was not reported expired")
            return
        }
        #expect(disk.usage.entries == 4)
        #expect(disk.usage == Self.listed(root))

        // A flipped byte in a blob: blob and action file go.
        let blob = root.appendingPathComponent("cas/\(DiskCache.digest(Self.result(2).stdout))")
        var bytes = try Data(contentsOf: blob)
        bytes[0] ^= 1
        try bytes.write(to: blob)
        guard case .corrupt = disk.lookup("key2") else {
            Issue.record("a damaged blob was not reported corrupt")
            return
        }
        #expect(disk.usage.entries == 3)
        #expect(disk.usage == Self.listed(root))

        // A torn action file found at start-up. Its size changed behind the count's back: the
        // listing that follows at start-up (`CommandCache.openAndVerify`) makes the count exact.
        let action = root.appendingPathComponent("ac/key3")
        try Data(try Data(contentsOf: action).prefix(10)).write(to: action)
        #expect(disk.removeCorruptActions() == 1)
        #expect(disk.usage.entries == 2)
        #expect(disk.enforceLimit() == 0)
        #expect(disk.usage == Self.listed(root))
    }

    @Test func storesPastMaxDiskEvictTheLeastRecentlyUsedAndTheCountStaysExact() async throws {
        let root = try temporaryDirectory()
        let limit = 64 << 10
        let disk = DiskCache(root: root, ttl: .seconds(60), maxBytes: limit)
        var evicted = 0
        for index in 0..<20 {
            evicted += try disk.store("key\(index)", Self.result(index))
            #expect(disk.usage.bytes <= limit, "over max_disk after store \(index): \(disk.usage.bytes)")
            #expect(disk.usage == Self.listed(root))
        }
        #expect(evicted >= 12, "20 entries of 8 KiB in 64 KiB: at most 7 fit, \(evicted) evicted")
        #expect(disk.usage.entries == 20 - evicted)
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("ac/key19").path), "the newest stays")
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("ac/key0").path), "the oldest went")
        // Entries go whole: every one left is served, none is left naming a blob that went.
        for index in 0..<20 where FileManager.default.fileExists(atPath: root.appendingPathComponent("ac/key\(index)").path) {
            guard case .hit(let hit) = disk.lookup("key\(index)") else {
                Issue.record("key\(index) was left behind without its blobs")
                continue
            }
            #expect(hit.stdout == Self.result(index).stdout)
        }

        // Through the cache: the Cache pane's figures are the folder's, evictions counted.
        let directory = try temporaryDirectory()
        var settings = CacheSettings()
        settings.diskMaxBytes = limit
        let cache = CommandCache(settings: settings, directory: directory)
        try cache.open()
        for index in 0..<20 {
            cache.store(CacheKey(digest: "k\(index)"), Self.result(index))
            await cache.flush()
        }
        let tier = try #require(cache.snapshot().first { $0.name == "disk" })
        #expect(tier.evictions >= 12)
        #expect(tier.bytes <= limit)
        #expect(DiskCache.Usage(entries: tier.entries, bytes: tier.bytes) == Self.listed(directory))
    }
}
