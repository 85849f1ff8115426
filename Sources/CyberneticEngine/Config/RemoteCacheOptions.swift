import Foundation

/// The `[cache]` keys of the remote tier: `remote_mode`, `remote_token_env`, `remote_timeout`,
/// `remote_cooldown`.
extension ConfigurationLoader {
    static func readRemoteOptions(_ cache: TableReader, into settings: inout CacheSettings) {
        if let mode = cache.string("remote_mode") {
            if let parsed = RemoteMode(rawValue: mode) {
                settings.remoteMode = parsed
            } else {
                let names = RemoteMode.allCases.map(\.rawValue)
                cache.fail("remote_mode", "unknown mode '\(mode)', expected one of \(names.joined(separator: ", "))"
                           + Suggestions.hint(for: mode, in: names))
            }
        }
        if let name = cache.string("remote_token_env") {
            if isVariableName(name) {
                settings.remoteTokenEnv = name
            } else {
                cache.fail("remote_token_env", "'\(name)' is not an environment variable name (letters, digits and _, not starting with a digit); name the variable that holds the token, never the token itself")
            }
        }
        settings.remoteTimeout = cache.duration("remote_timeout", in: .milliseconds(10)...(.seconds(600))) ?? settings.remoteTimeout
        settings.remoteCoolDown = cache.duration("remote_cooldown", in: .milliseconds(10)...day) ?? settings.remoteCoolDown
        if settings.remote == nil {
            for key in ["remote_token_env", "remote_timeout", "remote_cooldown"] where cache.table[key] != nil {
                cache.fail(key, "\(key) has no effect without cache.remote = \"http://host:port/prefix\"")
            }
        }
    }

    private static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !CharacterSet.decimalDigits.contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ($0.isASCII && CharacterSet.alphanumerics.contains($0)) || $0 == "_" }
    }
}
