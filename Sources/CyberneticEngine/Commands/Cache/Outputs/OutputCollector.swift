import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// After a successful run: the files the task's output globs match, read into a list the cache
/// can store. Any output that is unsafe or over the size cap makes the whole run uncacheable
/// (a partial set of outputs would restore a broken tree), and the reason says which.
enum OutputCollector {
    static func collect(_ globs: [String], in directory: String, limit: Int, pool: MemoryPool?) -> Result<[CachedOutput], OutputFailure> {
        var paths: [String] = []
        for pattern in globs {
            if let problem = OutputPath.globProblem(pattern) { return .failure(OutputFailure(problem)) }
            paths.append(contentsOf: Glob.expand(pattern, in: directory))
        }
        var outputs: [CachedOutput] = []
        var total = 0
        for path in Set(paths).sorted() {
            if let problem = OutputPath.problem(with: path) ?? OutputPath.parentProblem(path, root: directory) {
                return .failure(OutputFailure("output \(problem)"))
            }
            let full = directory + "/" + path
            var info = stat()
            guard lstat(full, &info) == 0 else { continue }   // gone since the glob saw it
            switch info.st_mode & S_IFMT {
            case S_IFLNK:
                guard let target = readLink(full) else { return .failure(OutputFailure("output link '\(path)' cannot be read")) }
                if let problem = OutputPath.linkProblem(path: path, target: target) {
                    return .failure(OutputFailure("output \(problem)"))
                }
                outputs.append(CachedOutput(path: path, kind: .symlink(target: target), content: .heap([])))
            case S_IFREG:
                total += Int(info.st_size)
                guard total <= limit else {
                    return .failure(OutputFailure("outputs over the \(limit / (1 << 20)) MiB cap (cache.max_outputs)"))
                }
                guard let data = FileContents.read(atPath: full) else {
                    return .failure(OutputFailure("output '\(path)' cannot be read"))
                }
                let bytes = [UInt8](data)
                outputs.append(CachedOutput(path: path, kind: .file(digest: DiskCache.digest(bytes), mode: UInt32(info.st_mode) & 0o777),
                                            content: HeldBytes(bytes, pool: pool)))
            default:
                return .failure(OutputFailure("output '\(path)' is neither a file nor a link"))
            }
        }
        return .success(outputs)
    }

    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlink(path, &buffer, 4096)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Why a run's outputs were not cached, or why a hit's outputs were not restored.
public struct OutputFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
