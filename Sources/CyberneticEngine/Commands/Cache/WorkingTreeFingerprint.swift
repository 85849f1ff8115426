import Crypto
import Foundation
import Synchronization

/// What a task with no declared inputs depends on: the working tree. Inside a git repository,
/// the index (`git ls-files -s`, content hashes of every tracked file as staged) plus the content
/// of every modified and untracked file, as Turborepo does, so an edit is never answered with a
/// stale result. Outside a repository there is nothing cheap and sound to hash; the cache's TTL
/// bounds staleness there.
///
/// Computing it costs two git processes, so concurrent lookups share computations: a lookup
/// joins a computation that has not started yet (the one queued behind a running one), never one
/// already running, which may have read the tree before the lookup asked. A burst of N lookups
/// for one directory costs two computations instead of N, and every lookup still gets a
/// fingerprint of the tree as it was when it asked, or later.
enum WorkingTreeFingerprint {
    /// What git says about the tree: the index, and each modified or untracked file with the
    /// digest of its current content.
    struct Tree: Sendable {
        struct Change: Sendable {
            var entry: [UInt8]
            var absolutePath: String
            var digest: String
        }

        var index: String
        var changes: [Change]

        /// The fingerprint, leaving out changed files `excluded` says are the task's own outputs:
        /// a run that writes its outputs must not change its own key.
        func fingerprint(excluding excluded: (String) -> Bool = { _ in false }) -> String {
            var hasher = SHA256()
            hasher.update(data: Array(index.utf8))
            for change in changes where !excluded(change.absolutePath) {
                hasher.update(data: change.entry)
                hasher.update(data: [0])
                hasher.update(data: Array(change.digest.utf8))
            }
            return "git " + hasher.finalize().map { String(format: "%02x", $0) }.joined()
        }
    }

    /// nil outside a git repository.
    static func compute(in directory: String) async -> Tree? {
        await shared.value(for: directory)
    }

    private static let shared = Coalescer<Tree?> { await computeNow(in: $0) }

    /// The repository root never changes under a directory for the life of the process.
    private static let roots = Mutex<[String: String]>([:])

    static func computeNow(in directory: String) async -> Tree? {
        let index = await git(["ls-files", "-s", "-z"], in: directory)
        // git's "not a repository" is exit 128; anything else (a timeout on a loaded machine, a
        // crash) means the tree is unknown, and an unknown tree must never match a stored key.
        guard index.ok else { return index.code == 128 ? nil : Tree(index: "unknown \(UUID().uuidString)", changes: []) }
        let status = await git(["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames"], in: directory)
        guard status.ok else { return Tree(index: "unknown \(UUID().uuidString)", changes: []) }
        // Entries look like "XY path\0"; hash the current content of each changed path.
        let entries = status.output.split(separator: 0).filter { $0.count > 3 }
        var changes: [Tree.Change] = []
        if !entries.isEmpty {
            let root = await repositoryRoot(of: directory)
            for entry in entries {
                let path = root + "/" + String(decoding: entry.dropFirst(3), as: UTF8.self)
                changes.append(Tree.Change(entry: Array(entry), absolutePath: path, digest: CacheKey.fileDigest(path)))
            }
        }
        let indexDigest = SHA256.hash(data: index.output).map { String(format: "%02x", $0) }.joined()
        return Tree(index: indexDigest, changes: changes)
    }

    private static func repositoryRoot(of directory: String) async -> String {
        if let known = roots.withLock({ $0[directory] }) { return known }
        let top = await git(["rev-parse", "--show-toplevel"], in: directory)
        let root = String(decoding: top.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if top.ok { roots.withLock { $0[directory] = root } }
        return root
    }

    private static func git(_ arguments: [String], in directory: String) async -> (ok: Bool, code: Int32?, output: [UInt8]) {
        let result = await CommandRunner.run(CommandRequest(argv: ["git", "-C", directory] + arguments,
                                                            environment: ["GIT_OPTIONAL_LOCKS": "0"],
                                                            timeout: .seconds(30), outputLimit: 64 << 20))
        let code: Int32? = if case .exited(let code) = result.outcome { code } else { nil }
        return (result.outcome.succeeded && !result.stdout.truncated, code, result.stdout.bytes)
    }
}

extension WorkingTreeFingerprint {
    /// Per directory: the computation running now, and the one queued to start when it ends.
    final class Coalescer<Value: Sendable>: Sendable {
        private struct Slot {
            var running: (id: UInt64, task: Task<Value, Never>)?
            var queued: (id: UInt64, task: Task<Value, Never>)?
        }

        private struct State {
            var slots: [String: Slot] = [:]
            var nextID: UInt64 = 0
            /// Lookups so far, for tests that must know every caller has asked.
            var lookups = 0
        }

        private let state = Mutex(State())
        private let compute: @Sendable (String) async -> Value

        init(compute: @escaping @Sendable (String) async -> Value) {
            self.compute = compute
        }

        func value(for directory: String) async -> Value {
            let task = state.withLock { state -> Task<Value, Never> in
                state.lookups += 1
                var slot = state.slots[directory] ?? Slot()
                defer { state.slots[directory] = slot }
                if let queued = slot.queued { return queued.task }
                state.nextID += 1
                let id = state.nextID
                if let running = slot.running {
                    let previous = running.task
                    let task = Task {
                        _ = await previous.value
                        self.promote(directory, id)
                        defer { self.finish(directory, id) }
                        return await self.compute(directory)
                    }
                    slot.queued = (id, task)
                    return task
                }
                let task = Task {
                    defer { self.finish(directory, id) }
                    return await self.compute(directory)
                }
                slot.running = (id, task)
                return task
            }
            return await task.value
        }

        /// How many lookups have asked so far (joined or started a computation).
        var lookups: Int { state.withLock { $0.lookups } }

        private func promote(_ directory: String, _ id: UInt64) {
            state.withLock { state in
                guard var slot = state.slots[directory], let queued = slot.queued, queued.id == id else { return }
                slot.running = queued
                slot.queued = nil
                state.slots[directory] = slot
            }
        }

        private func finish(_ directory: String, _ id: UInt64) {
            state.withLock { state in
                guard var slot = state.slots[directory], slot.running?.id == id else { return }
                slot.running = nil
                state.slots[directory] = slot.queued == nil ? nil : slot
            }
        }
    }
}
