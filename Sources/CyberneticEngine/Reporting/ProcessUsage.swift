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
        return ProcessUsage(cpuMs: micros / 1000, peakResidentMiB: Int(usage.ru_maxrss) / 1024)
    }
}
