import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// On a hit: writes the entry's outputs into the working directory before the result is
/// reported. Every path and link is checked first, all of them, so an unsafe entry writes
/// nothing; each file is written to a temporary file beside its destination and renamed over it,
/// so a reader never sees half a file; a file already there with the same content and mode is
/// left alone.
enum OutputRestorer {
    static func restore(_ outputs: [CachedOutput], in directory: String) -> Result<RestoredOutputs, OutputFailure> {
        for output in outputs {
            if let problem = OutputPath.problem(with: output.path) ?? OutputPath.parentProblem(output.path, root: directory) {
                return .failure(OutputFailure("the entry's output \(problem)"))
            }
            if case .symlink(let target) = output.kind, let problem = OutputPath.linkProblem(path: output.path, target: target) {
                return .failure(OutputFailure("the entry's output \(problem)"))
            }
        }
        var summary = RestoredOutputs()
        for output in outputs {
            let full = directory + "/" + output.path
            // Folders are created one at a time and checked again: a link planted meanwhile is refused.
            if let problem = makeParents(of: output.path, in: directory) { return .failure(problem) }
            var info = stat()
            let exists = lstat(full, &info) == 0
            if exists && info.st_mode & S_IFMT == S_IFDIR {
                return .failure(OutputFailure("the entry's output '\(output.path)' is a folder here"))
            }
            switch output.kind {
            case .file(let digest, let mode):
                if exists, info.st_mode & S_IFMT == S_IFREG, UInt32(info.st_mode) & 0o777 == mode,
                   Int(info.st_size) == output.size,
                   let current = FileContents.read(atPath: full), DiskCache.digest(current) == digest {
                    summary.unchanged += 1
                    continue
                }
                if let failure = writeFile(output.content.bytes, mode: mode, to: full, name: output.path) { return .failure(failure) }
                summary.files += 1
                summary.bytes += output.size
            case .symlink(let target):
                if exists, info.st_mode & S_IFMT == S_IFLNK, OutputCollector.readLink(full) == target {
                    summary.unchanged += 1
                    continue
                }
                if let failure = writeLink(target, to: full, name: output.path) { return .failure(failure) }
                summary.files += 1
            }
        }
        return .success(summary)
    }

    private static func makeParents(of path: String, in directory: String) -> OutputFailure? {
        var current = directory
        for segment in path.split(separator: "/").dropLast() {
            current += "/" + segment
            if mkdir(current, 0o777) != 0 && errno != EEXIST {
                return OutputFailure("cannot create '\(current.dropFirst(directory.count + 1))': \(String(cString: strerror(errno)))")
            }
        }
        if let problem = OutputPath.parentProblem(path, root: directory) { return OutputFailure("the entry's output \(problem)") }
        return nil
    }

    private static func temporary(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).cybernetic-\(UUID().uuidString.prefix(8)).tmp").path
    }

    private static func writeFile(_ bytes: [UInt8], mode: UInt32, to path: String, name: String) -> OutputFailure? {
        let scratch = temporary(for: path)
        let fd = open(scratch, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return OutputFailure("cannot write '\(name)': \(String(cString: strerror(errno)))") }
        var failure: String?
        if !bytes.withUnsafeBytes({ FileDescriptorIO.writeAll(fd, $0) }) { failure = String(cString: strerror(errno)) }
        if failure == nil && fchmod(fd, mode_t(mode)) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if failure == nil && rename(scratch, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(scratch)
            return OutputFailure("cannot write '\(name)': \(failure)")
        }
        return nil
    }

    private static func writeLink(_ target: String, to path: String, name: String) -> OutputFailure? {
        let scratch = temporary(for: path)
        guard symlink(target, scratch) == 0 else { return OutputFailure("cannot create link '\(name)': \(String(cString: strerror(errno)))") }
        guard rename(scratch, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(scratch)
            return OutputFailure("cannot create link '\(name)': \(reason)")
        }
        return nil
    }
}
