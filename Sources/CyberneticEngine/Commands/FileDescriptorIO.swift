import Foundation

enum FileDescriptorIO {
    /// Writes all of `raw`, retrying on EINTR and short writes. False when the write failed
    /// (errno says why).
    @discardableResult
    static func writeAll(_ fd: Int32, _ raw: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < raw.count {
            let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }
}
