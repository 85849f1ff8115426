import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A test-and-set lock for critical sections of a few dozen instructions (a pool's free stacks).
/// Taking it is one compare-exchange and releasing it one plain store, where `Mutex` pays an atomic
/// read-modify-write for both. A waiter spins on a read and yields the core after a while, so a
/// holder that lost its core (2 loaded cores) gets it back. Copies of large blocks never run under it.
struct SpinLock: ~Copyable, Sendable {
    private let locked = Atomic<Bool>(false)

    init() {}

    @inline(__always)
    func lock() {
        if locked.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged { return }
        lockSlowly()
    }

    @inline(__always)
    func unlock() {
        locked.store(false, ordering: .releasing)
    }

    @inline(never)
    private func lockSlowly() {
        var spins = 0
        while true {
            while locked.load(ordering: .relaxed) {
                spins += 1
                if spins >= 64 {
                    spins = 0
                    sched_yield()
                }
            }
            if locked.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged { return }
        }
    }
}
