import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The npx fast path: `npx NAME ARGS...` for a package installed in a `node_modules` up the tree.
///
/// npm runs a local bin by walking up from the working directory to `node_modules/.bin/NAME`;
/// so does this, without starting npm (about 250 ms of node and npm start-up). A node script is
/// returned as `[node, script, ARGS...]` so the warm pool can run it; any other bin as
/// `[bin, ARGS...]`. Nil means "let the real npx handle it": nothing resolves locally, or the
/// command line uses npx options other than `--yes` / `-y`, or NAME is a package spec
/// (`pkg@1.2`, `@scope/pkg`) rather than a bin name.
public enum NpxResolver {
    public static func resolve(argv: [String], workingDirectory: String?) -> [String]? {
        resolution(argv: argv, workingDirectory: workingDirectory)?.argv
    }

    /// What `resolve` returns, with where it came from.
    public struct Resolution: Sendable, Equatable {
        public var argv: [String]
        /// `node_modules/.bin/NAME` as found (usually a symlink).
        public var binPath: String
        /// The bin's real file.
        public var target: String
        public var isNodeScript: Bool
    }

    public static func resolution(argv: [String], workingDirectory: String?) -> Resolution? {
        guard let program = argv.first, (program.split(separator: "/").last.map(String.init) ?? program) == "npx"
        else { return nil }
        var index = 1
        while index < argv.count, argv[index] == "--yes" || argv[index] == "-y" { index += 1 }
        guard index < argv.count else { return nil }
        let name = argv[index]
        guard !name.isEmpty, !name.hasPrefix("-"), !name.contains("/"), !name.contains("@"), name != ".", name != ".."
        else { return nil }
        let arguments = Array(argv[(index + 1)...])
        let start = workingDirectory ?? FileManager.default.currentDirectoryPath
        guard let binPath = findBin(name, from: start), let target = realPath(binPath) else { return nil }
        let nodeScript = isNodeScript(target)
        if nodeScript, let node = ExecutableLookup.cached("node") {
            return Resolution(argv: [node, target] + arguments, binPath: binPath, target: target, isNodeScript: true)
        }
        return Resolution(argv: [binPath] + arguments, binPath: binPath, target: target, isNodeScript: nodeScript)
    }

    /// `DIR/node_modules/.bin/NAME` for the working directory and each of its parents, nearest first.
    static func findBin(_ name: String, from directory: String) -> String? {
        var url = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL
        while true {
            let candidate = url.appendingPathComponent("node_modules/.bin/\(name)").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            let parent = url.deletingLastPathComponent().standardizedFileURL
            if parent.path == url.path { return nil }
            url = parent
        }
    }

    /// A script node runs the same way as `node FILE`: a `#!` line naming node with no options
    /// (`#!/usr/bin/env node`, `#!/usr/bin/node`), or no `#!` line and a .js/.cjs/.mjs name.
    /// A `#!` line with node options (`#!/usr/bin/env -S node --flag`) is exec'd as it is.
    static func isNodeScript(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 256)) ?? Data()
        if head.starts(with: [0x23, 0x21]) {
            let line = head.dropFirst(2).prefix { $0 != 0x0A && $0 != 0x0D }
            let words = String(decoding: line, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\t" })
            func isNode(_ word: Substring) -> Bool {
                let base = word.split(separator: "/").last ?? word
                return base == "node" || base == "nodejs"
            }
            if words.count == 1 { return isNode(words[0]) }
            if words.count == 2, (words[0].split(separator: "/").last ?? words[0]) == "env" { return isNode(words[1]) }
            return false
        }
        return [".js", ".cjs", ".mjs"].contains { path.hasSuffix($0) }
    }
}
