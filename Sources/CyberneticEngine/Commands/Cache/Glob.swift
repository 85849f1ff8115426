import Foundation

/// Expands workload `inputs` globs: `*`, `?` and `[...]` within one path component, `**` across
/// any number of them. Matches are files, sorted, as paths relative to the base directory.
enum Glob {
    static func expand(_ pattern: String, in base: String) -> [String] {
        let absolute = pattern.hasPrefix("/")
        let root = absolute ? "/" : base
        let parts = pattern.split(separator: "/").map(String.init)
        var results: Set<String> = []
        walk(parts[...], directory: root, relative: absolute ? "/" : "", into: &results)
        return results.sorted()
    }

    /// Whether a relative path matches a pattern, with the same rules as `expand`.
    static func matches(_ pattern: String, _ path: String) -> Bool {
        match(pattern.split(separator: "/")[...], path.split(separator: "/")[...])
    }

    private static func match(_ pattern: ArraySlice<Substring>, _ path: ArraySlice<Substring>) -> Bool {
        guard let part = pattern.first else { return path.isEmpty }
        if part == "**" {
            return (path.startIndex...path.endIndex).contains { match(pattern.dropFirst(), path[$0...]) }
        }
        guard let name = path.first else { return false }
        return fnmatch(String(part), String(name), FNM_PERIOD) == 0 && match(pattern.dropFirst(), path.dropFirst())
    }

    private static func walk(_ parts: ArraySlice<String>, directory: String, relative: String, into results: inout Set<String>) {
        guard let part = parts.first else { return }
        let rest = parts.dropFirst()
        let fm = FileManager.default
        func join(_ a: String, _ b: String) -> String { a.isEmpty ? b : a.hasSuffix("/") ? a + b : a + "/" + b }

        if part == "**" && rest.isEmpty {
            // A trailing `**`: every file below, at any depth (`src/**`, `out/**`).
            for child in (try? fm.contentsOfDirectory(atPath: directory)) ?? [] where child != ".git" {
                var isDir: ObjCBool = false
                let path = join(directory, child)
                guard fm.fileExists(atPath: path, isDirectory: &isDir) || isSymlink(path) else { continue }
                if isDir.boolValue && !isSymlink(path) {
                    walk(parts, directory: path, relative: join(relative, child), into: &results)
                } else if !isDir.boolValue || isSymlink(path) {
                    results.insert(join(relative, child))
                }
            }
            return
        }
        if part == "**" {
            walk(rest, directory: directory, relative: relative, into: &results)
            for child in (try? fm.contentsOfDirectory(atPath: directory)) ?? [] where child != ".git" {
                var isDir: ObjCBool = false
                let path = join(directory, child)
                if fm.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue, !isSymlink(path) {
                    walk(parts, directory: path, relative: join(relative, child), into: &results)
                }
            }
            return
        }
        let names: [String]
        if part.contains(where: { "*?[".contains($0) }) {
            names = ((try? fm.contentsOfDirectory(atPath: directory)) ?? []).filter { name in
                (!name.hasPrefix(".") || part.hasPrefix(".")) && fnmatch(part, name, FNM_PERIOD) == 0
            }
        } else {
            names = [part]
        }
        for name in names {
            let path = join(directory, name)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else { continue }
            if rest.isEmpty {
                if !isDir.boolValue { results.insert(join(relative, name)) }
            } else if isDir.boolValue {
                walk(rest, directory: path, relative: join(relative, name), into: &results)
            }
        }
    }

    private static func isSymlink(_ path: String) -> Bool {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil
    }
}
