import Foundation

/// Reads a whole file: the bytes, or nil when it cannot be opened or read.
///
/// Not `FileManager.contents(atPath:)` or `Data(contentsOf:)`: in swift-foundation (Swift 6.3)
/// both leak a 4 KiB buffer every time they read an *empty* file (found by AddressSanitizer,
/// `Tests/Sanitizers/run.sh address`). Cache blobs of commands that print nothing are empty, so
/// every disk-cache hit of a quiet command leaked; a long-running engine grew without bound.
enum FileContents {
    static func read(atPath path: String) -> Data? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        do {
            // nil at end of file: the file is empty.
            return try handle.readToEnd() ?? Data()
        } catch {
            return nil
        }
    }
}
