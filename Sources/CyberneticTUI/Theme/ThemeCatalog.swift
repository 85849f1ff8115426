import Foundation

/// Finds themes: our built-in ones, theme files in the usual directories (including btop's, so
/// `--theme nord` picks up an installed btop theme), or a file given by path.
public struct ThemeCatalog: Sendable {
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case notFound(String, known: [String])
        case unreadable(String, reason: String)

        public var description: String {
            switch self {
            case .notFound(let name, let known):
                "no theme named '\(name)'; known themes: \(known.joined(separator: ", "))"
            case .unreadable(let path, let reason):
                "cannot read theme file \(path): \(reason)"
            }
        }
    }

    /// Directories searched for `NAME.theme`, first match wins.
    public var directories: [String]

    public init(directories: [String] = ThemeCatalog.standardDirectories()) {
        self.directories = directories
    }

    public static let `default`: Theme = {
        let text = BuiltInThemes.all.first { $0.name == "default" }!.text
        return Theme(name: "default", values: ThemeParser.parse(text).values)
    }()

    public static func builtIn(_ name: String) -> Theme? {
        guard let entry = BuiltInThemes.all.first(where: { $0.name == name }) else { return nil }
        return Theme(name: name, values: ThemeParser.parse(entry.text).values).filling(from: ThemeCatalog.default)
    }

    /// Parses a theme file's text; missing keys come from the default theme.
    public static func theme(named name: String, text: String) -> (theme: Theme, problems: [String]) {
        let parsed = ThemeParser.parse(text)
        return (Theme(name: name, values: parsed.values).filling(from: ThemeCatalog.default), parsed.problems)
    }

    /// A name (built-in or `NAME.theme` in a theme directory) or a path to a theme file.
    public func load(_ nameOrPath: String) throws(Failure) -> (theme: Theme, problems: [String]) {
        let looksLikePath = nameOrPath.contains("/") || nameOrPath.hasSuffix(".theme")
        if looksLikePath || FileManager.default.fileExists(atPath: nameOrPath) && !isBuiltIn(nameOrPath) {
            return try loadFile(nameOrPath)
        }
        for directory in directories {
            let path = directory + "/" + nameOrPath + ".theme"
            if FileManager.default.isReadableFile(atPath: path) { return try loadFile(path) }
        }
        if let theme = Self.builtIn(nameOrPath) { return (theme, []) }
        throw .notFound(nameOrPath, known: names())
    }

    /// Every theme `t` cycles through: the built-in ones first, then files found on disk.
    public func names() -> [String] {
        var names = BuiltInThemes.all.map(\.name)
        for directory in directories {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for file in files.sorted() where file.hasSuffix(".theme") {
                let name = String(file.dropLast(".theme".count))
                if !names.contains(name) { names.append(name) }
            }
        }
        return names
    }

    private func isBuiltIn(_ name: String) -> Bool { BuiltInThemes.all.contains { $0.name == name } }

    private func loadFile(_ path: String) throws(Failure) -> (theme: Theme, problems: [String]) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path, reason: (error as NSError).localizedDescription)
        }
        guard data.count <= 1 << 20 else { throw .unreadable(path, reason: "larger than 1 MiB") }
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return Self.theme(named: name, text: String(decoding: data, as: UTF8.self))
    }

    /// $CYBERNETIC_THEMES, the user's config directories, next to the binary, ./themes, then btop's.
    public static func standardDirectories() -> [String] {
        let env = ProcessInfo.processInfo.environment
        var dirs: [String] = []
        if let custom = env["CYBERNETIC_THEMES"], !custom.isEmpty { dirs.append(custom) }
        let home = env["HOME"] ?? ""
        let config = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
        dirs.append(config + "/cybernetic/themes")
        let executable = URL(fileURLWithPath: Swift.CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        let bin = executable.deletingLastPathComponent()
        dirs.append(bin.appendingPathComponent("../share/cybernetic/themes").standardized.path)
        dirs.append(FileManager.default.currentDirectoryPath + "/themes")
        dirs.append(config + "/btop/themes")
        dirs.append("/usr/local/share/btop/themes")
        dirs.append("/usr/share/btop/themes")
        return dirs
    }
}
