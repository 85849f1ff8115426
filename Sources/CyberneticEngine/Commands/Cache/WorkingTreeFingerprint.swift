import Crypto
import Foundation

/// What a task with no declared inputs depends on: the working tree. Inside a git repository,
/// the index (`git ls-files -s`, content hashes of every tracked file as staged) plus the content
/// of every modified and untracked file, as Turborepo does, so an edit is never answered with a
/// stale result. Outside a repository there is nothing cheap and sound to hash; the cache's TTL
/// bounds staleness there.
enum WorkingTreeFingerprint {
    static func compute(in directory: String) async -> String {
        let index = await git(["ls-files", "-s", "-z"], in: directory)
        guard index.ok else { return "no-git" }
        let status = await git(["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames"], in: directory)
        let top = await git(["rev-parse", "--show-toplevel"], in: directory)
        let root = String(decoding: top.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        var hasher = SHA256()
        hasher.update(data: index.output)
        hasher.update(data: status.output)
        // Entries look like "XY path\0"; hash the current content of each changed path.
        for entry in status.output.split(separator: 0) where entry.count > 3 {
            let path = String(decoding: entry.dropFirst(3), as: UTF8.self)
            hasher.update(data: Array(path.utf8))
            hasher.update(data: Array(CacheKey.fileDigest(root + "/" + path).utf8))
        }
        return "git " + hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    private static func git(_ arguments: [String], in directory: String) async -> (ok: Bool, output: [UInt8]) {
        let result = await CommandRunner.run(CommandRequest(argv: ["git", "-C", directory] + arguments,
                                                            environment: ["GIT_OPTIONAL_LOCKS": "0"],
                                                            timeout: .seconds(10), outputLimit: 64 << 20))
        return (result.outcome.succeeded && !result.stdout.truncated, result.stdout.bytes)
    }
}
