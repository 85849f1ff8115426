import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A folder as `ls -lR` and `sha256sum` would compare it: every entry's kind, permission bits
/// and content digest (files) or target (links), by relative path.
enum OutputTree {
    static func read(_ root: URL) -> [String: String] {
        var entries: [String: String] = [:]
        func visit(_ relative: String) {
            let path = relative.isEmpty ? root.path : root.path + "/" + relative
            for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
                let child = relative.isEmpty ? name : relative + "/" + name
                let full = root.path + "/" + child
                var info = stat()
                guard lstat(full, &info) == 0 else { continue }
                let mode = String(info.st_mode & 0o7777, radix: 8)
                switch info.st_mode & S_IFMT {
                case S_IFDIR:
                    entries[child] = "dir \(mode)"
                    visit(child)
                case S_IFLNK:
                    entries[child] = "link -> " + ((try? FileManager.default.destinationOfSymbolicLink(atPath: full)) ?? "?")
                default:
                    let data = FileManager.default.contents(atPath: full) ?? Data()
                    entries[child] = "file \(mode) \(data.count) " + sha256(data)
                }
            }
        }
        visit("")
        return entries
    }

    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
