import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Folders for Cybernetic's state (the disk cache and its parents): created 0700, and checked to
/// be nobody else's to write, because whoever can write there can plant a result that a later run
/// replays as its own.
enum PrivateDirectory {
    /// Creates `path` and any missing parents with mode 0700. Existing folders are left as they are.
    static func create(_ path: String) throws {
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else { throw CacheError.io("\(path) exists and is not a folder") }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path { try create(parent) }
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw CacheError.io("cannot create \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Throws when `path` belongs to another user, or anyone may write into it (world-writable).
    /// A group-writable folder is allowed: that is how a team shares a cache on purpose.
    static func checkNotShared(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else { throw CacheError.io("cannot read \(path): \(String(cString: strerror(errno)))") }
        if info.st_uid != geteuid() {
            throw CacheError.io("\(path) belongs to another user (uid \(info.st_uid)); refusing to trust its entries")
        }
        if info.st_mode & S_IWOTH != 0 {
            throw CacheError.io("\(path) is writable by every user; refusing to trust its entries (chmod o-w to use it)")
        }
    }
}
