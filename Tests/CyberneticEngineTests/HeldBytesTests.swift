@testable import CyberneticEngine
import Foundation
import Testing
import TestSupport

/// Held bytes keep their pooled buffer as a plain pointer, so LeakSanitizer can follow it: the
/// enum they once were stored it with its case in the top bit, and every cache entry alive at exit
/// was reported as a leak (`Tests/Sanitizers/run.sh address`, SECURITY.md "Sanitizers").
@Suite(.watchdog) struct HeldBytesTests {
    /// The machine words of `value`, as a leak checker scanning memory sees them.
    private func words<T>(of value: T) -> [UInt] {
        withUnsafeBytes(of: value) { raw in
            stride(from: 0, to: raw.count - raw.count % 8, by: 8).map { raw.loadUnaligned(fromByteOffset: $0, as: UInt.self) }
        }
    }

    @Test func aPooledBufferIsStoredAsItsPlainAddress() throws {
        let pool = MemoryPool()
        let result = CachedResult(exitCode: 0, stdout: Array("out\n".utf8), stderr: Array("err\n".utf8), pool: pool)
        let stdout = try #require(result.heldStdout.buffer, "non-empty output is pooled when a pool is given")
        let stderr = try #require(result.heldStderr.buffer)
        let stored = words(of: result)
        for buffer in [stdout, stderr] {
            let address = UInt(bitPattern: Unmanaged.passUnretained(buffer).toOpaque())
            #expect(stored.contains(address), "the reference is a word holding exactly the object's address")
        }
        #expect(result.stdout == Array("out\n".utf8))
        #expect(result.stderr == Array("err\n".utf8))
        #expect(result.byteCount == 8)
    }

    @Test func withoutAPoolOrBytesNothingIsPooled() {
        let pool = MemoryPool()
        let empty = HeldBytes([], pool: pool)
        #expect(empty.buffer == nil && empty.bytes.isEmpty && empty.count == 0)
        let plain = HeldBytes([1, 2, 3], pool: nil)
        #expect(plain.buffer == nil && plain.bytes == [1, 2, 3] && plain.count == 3)
        let heap = HeldBytes.heap([4, 5])
        #expect(heap.buffer == nil && heap.bytes == [4, 5] && heap.count == 2)
        let pooled = HeldBytes([6, 7, 8, 9], pool: pool)
        #expect(pooled.buffer != nil && pooled.bytes == [6, 7, 8, 9] && pooled.count == 4)
    }
}
