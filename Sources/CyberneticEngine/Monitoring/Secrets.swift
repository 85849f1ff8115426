import Foundation
import Synchronization

/// Values that must never leave the process in readable form: the values of environment variables
/// named like secrets (`*TOKEN*`, `*SECRET*`, `*PASSWORD*`, `*_KEY`, ...) in Cybernetic's own
/// environment, and those a workload sets or names in a task's `env` / `secret_env`.
///
/// Redaction happens in `SafeText`, the one door every piece of command-derived text passes
/// before it reaches an event, a report, a log line or the dashboard, so a command that prints its
/// environment (or echoes a token into an error) shows `[redacted]` instead.
public enum Secrets {
    public static let replacement = "[redacted]"

    /// Name fragments that mark a variable as secret (matched without regard to case).
    public static let namePatterns = ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "CREDENTIAL",
                                      "PRIVATE", "API_KEY", "APIKEY", "ACCESS_KEY", "AUTH"]

    /// Shorter values are too likely to occur in ordinary text ("1", "true") to be worth hiding, and
    /// hiding them would make output unreadable without protecting anything real.
    public static let minimumLength = 4

    /// Known values, longest first (so a secret that contains another is hidden whole). Read on
    /// every `SafeText` call, so kept ready-sorted and rebuilt only when a value is added.
    private static let known = Mutex<(set: Set<String>, sorted: [String])>({
        let inherited = values(in: ProcessInfo.processInfo.environment)
        return (inherited, inherited.sorted { $0.count > $1.count })
    }())

    /// Whether a variable of this name holds a secret by its name alone.
    public static func isSecretName(_ name: String) -> Bool {
        let upper = name.uppercased()
        if upper.hasSuffix("_KEY") || upper == "KEY" { return true }
        return namePatterns.contains { upper.contains($0) }
    }

    /// The values of the secret-named variables in `environment`, plus those of `alsoSecret`.
    static func values(in environment: [String: String], alsoSecret: Set<String> = []) -> Set<String> {
        Set(environment.compactMap { name, value in
            (isSecretName(name) || alsoSecret.contains(name)) && value.count >= minimumLength ? value : nil
        })
    }

    /// Registers the secrets a task brings: `env` entries with a secret name or listed in
    /// `secretEnv`, with their value from the entry or, for a pass-through entry, the environment.
    public static func register(task: TaskSpec, environment: [String: String] = ProcessInfo.processInfo.environment) {
        let named = Set(task.secretEnv)
        var found: Set<String> = values(in: environment.filter { named.contains($0.key) }, alsoSecret: named)
        for entry in task.env where isSecretName(entry.name) || named.contains(entry.name) {
            if let value = entry.value ?? environment[entry.name], value.count >= minimumLength { found.insert(value) }
        }
        register(found)
    }

    public static func register(_ values: some Sequence<String>) {
        let kept = values.filter { $0.count >= minimumLength }
        guard !kept.isEmpty else { return }
        known.withLock { known in
            guard !known.set.isSuperset(of: kept) else { return }
            known.set.formUnion(kept)
            known.sorted = known.set.sorted { $0.count > $1.count }
        }
    }

    /// Whether any known secret value occurs in any of these byte strings.
    public static func appear(in outputs: [UInt8]...) -> Bool {
        let values = known.withLock { $0.sorted }
        guard !values.isEmpty else { return false }
        let needles = values.map { Array($0.utf8) }
        return outputs.contains { bytes in needles.contains { Self.find($0, in: bytes) } }
    }

    /// Whether `needle` occurs in `haystack`: memchr to each candidate first byte, memcmp the rest.
    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
        guard let first = needle.first, needle.count <= haystack.count else { return false }
        return haystack.withUnsafeBytes { hay in
            needle.withUnsafeBytes { pin in
                let base = hay.baseAddress!
                var offset = 0
                let last = hay.count - pin.count
                while offset <= last {
                    guard let hit = memchr(base + offset, Int32(first), last - offset + 1) else { return false }
                    let at = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(base + at, pin.baseAddress!, pin.count) == 0 { return true }
                    offset = at + 1
                }
                return false
            }
        }
    }

    /// `text` with every known secret value replaced by `replacement`.
    public static func redact(_ text: String) -> String {
        let values = known.withLock { $0.sorted }
        guard !values.isEmpty, text.utf8.count >= minimumLength else { return text }
        var result = text
        for value in values where result.contains(value) {
            result = result.replacingOccurrences(of: value, with: replacement)
        }
        return result
    }
}
