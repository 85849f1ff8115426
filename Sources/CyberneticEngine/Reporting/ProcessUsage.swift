import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What Cybernetic itself cost, apart from the commands it ran: its own CPU time and peak
/// resident memory (getrusage of the process alone, never its children). The performance
/// comparison divides this by the whole run's CPU time.
public struct ProcessUsage: Sendable, Codable, Equatable {
    public var cpuMs: Int64
    public var peakResidentMiB: Int

    public init(cpuMs: Int64, peakResidentMiB: Int) {
        self.cpuMs = cpuMs
        self.peakResidentMiB = peakResidentMiB
    }

    public static func current() -> ProcessUsage {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let micros = (Int64(usage.ru_utime.tv_sec) + Int64(usage.ru_stime.tv_sec)) * 1_000_000
            + Int64(usage.ru_utime.tv_usec) + Int64(usage.ru_stime.tv_usec)
        let peakKiB = highWaterKiB() ?? Int(usage.ru_maxrss)
        return ProcessUsage(cpuMs: micros / 1000, peakResidentMiB: peakKiB / 1024)
    }

    /// The peak resident memory of this process's own address space (`VmHWM`). Not `ru_maxrss`:
    /// Linux carries that over from the parent when a process is started with `posix_spawn` or
    /// `vfork` (the exec'd child inherits the high-water mark of the address space it borrowed),
    /// so a binary started by a 150 MiB test runner reported 163 MiB while using 36.
    static func highWaterKiB() -> Int? {
        guard let status = FileContents.read(atPath: "/proc/self/status"),
              let text = String(data: status, encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int($0) }
    }
}
