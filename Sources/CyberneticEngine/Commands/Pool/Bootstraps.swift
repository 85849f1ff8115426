import Foundation

/// The runner bootstraps shipped as package resources (`Bootstraps/runner.{sh,js,py}`).
///
/// Found without `Bundle.module`, whose generated accessor stops the process when the resource
/// bundle is missing (say, a binary copied away from its build directory): the pool then simply
/// stays off and every command is spawned directly.
struct Bootstraps: Sendable {
    let directory: String
    /// `runner.sh` is passed to `sh -c`, so its text is read once.
    let shellText: String

    var nodeScript: String { directory + "/runner.js" }
    var pythonScript: String { directory + "/runner.py" }

    static let bundleName = "Cybernetic_CyberneticEngine.resources"

    static let shared: Bootstraps? = locate()

    static func candidates() -> [String] {
        var result: [String] = []
        if let override = ProcessInfo.processInfo.environment["CYBERNETIC_BOOTSTRAPS"], !override.isEmpty {
            result.append(override)
        }
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            let directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
            result.append(directory.appendingPathComponent(bundleName).appendingPathComponent("Bootstraps").path)
        }
        result.append(Bundle.main.bundleURL.appendingPathComponent(bundleName).appendingPathComponent("Bootstraps").path)
        if let resources = Bundle.main.resourceURL {
            result.append(resources.appendingPathComponent(bundleName).appendingPathComponent("Bootstraps").path)
        }
        // A development build run from elsewhere: the sources next to this file.
        result.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Bootstraps").path)
        return result
    }

    static func locate() -> Bootstraps? {
        for directory in candidates() {
            let files = ["runner.sh", "runner.js", "runner.py"].map { directory + "/" + $0 }
            guard files.allSatisfy({ FileManager.default.isReadableFile(atPath: $0) }),
                  let text = try? String(contentsOfFile: files[0], encoding: .utf8) else { continue }
            return Bootstraps(directory: directory, shellText: text)
        }
        return nil
    }

    /// Program arguments (after the interpreter) that boot a runner of `kind`.
    func arguments(for key: RuntimeKey) -> [String] {
        switch key.kind {
        case .sh: ["-c", shellText, key.interpreter]
        case .node: [nodeScript]
        case .python: [pythonScript]
        }
    }
}
