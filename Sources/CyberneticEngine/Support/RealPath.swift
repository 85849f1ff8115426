import Foundation

/// The path with every symbolic link, `.` and `..` resolved by the kernel's view of the file system,
/// or nil when some part of it does not exist. Comparing such paths is how the cache decides whether
/// a file lies inside a tree, and how the npx fast path finds the script a `.bin` link stands for.
func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
}
