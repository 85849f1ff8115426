import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The check the workload loader and `exec --outputs` apply to an output glob.
public enum OutputGlob {
    /// Why `pattern` could match outside the working directory, or nil.
    public static func problem(_ pattern: String) -> String? { OutputPath.globProblem(pattern) }
}

/// The rules that keep outputs inside the working directory, checked when storing and again when
/// restoring: an entry can come from a shared disk folder or a remote server, so a poisoned one
/// must not be able to write anywhere else.
enum OutputPath {
    /// Why `path` is not a safe output path, or nil: relative, no empty, `.` or `..` segments.
    static func problem(with path: String) -> String? {
        if path.isEmpty { return "an empty path" }
        if path.utf8.contains(0) { return "a path with a NUL byte" }
        if path.utf8.count > 4096 { return "a path longer than 4096 bytes" }
        if path.hasPrefix("/") { return "'\(path)' is absolute" }
        for segment in path.split(separator: "/", omittingEmptySubsequences: false) {
            if segment.isEmpty || segment == "." { return "'\(path)' is not a plain relative path" }
            if segment == ".." { return "'\(path)' has a '..' segment" }
        }
        return nil
    }

    /// Why an output glob could match outside the working directory, or nil.
    static func globProblem(_ pattern: String) -> String? {
        if pattern.hasPrefix("/") { return "output glob '\(pattern)' is absolute; outputs live in the working directory" }
        if pattern.split(separator: "/").contains("..") { return "output glob '\(pattern)' has a '..' segment" }
        if pattern.trimmingCharacters(in: .whitespaces).isEmpty { return "empty output glob" }
        return nil
    }

    /// Why a link at `path` pointing to `target` would leave the working directory, or nil.
    /// Resolved by name: a relative target from the link's folder, `..` climbing.
    static func linkProblem(path: String, target: String) -> String? {
        if target.isEmpty || target.utf8.contains(0) { return "link '\(path)' has an unusable target" }
        if target.hasPrefix("/") { return "link '\(path)' points to the absolute path '\(target)'" }
        var depth = path.split(separator: "/").count - 1
        for segment in target.split(separator: "/") {
            switch segment {
            case ".": continue
            case "..":
                depth -= 1
                if depth < 0 { return "link '\(path)' points outside the working directory ('\(target)')" }
            default: depth += 1
            }
        }
        return nil
    }

    /// Why the folders leading to `path` are not safe to write through, or nil. A folder that is
    /// a symbolic link must resolve inside `root` (its real path); anything else there but a
    /// folder is a problem too.
    static func parentProblem(_ path: String, root: String) -> String? {
        guard let realRoot = realPath(root) else { return "the working directory '\(root)' cannot be resolved" }
        var current = root
        for segment in path.split(separator: "/").dropLast() {
            current += "/" + segment
            var info = stat()
            guard lstat(current, &info) == 0 else { return nil }   // missing: created when restoring
            switch info.st_mode & S_IFMT {
            case S_IFDIR: continue
            case S_IFLNK:
                guard let real = realPath(current), real == realRoot || real.hasPrefix(realRoot + "/") else {
                    return "'\(path)' goes through the link '\(current.dropFirst(root.count + 1))', which leaves the working directory"
                }
            default:
                return "'\(path)' needs '\(current.dropFirst(root.count + 1))' to be a folder"
            }
        }
        return nil
    }
}
