// Tells ThreadSanitizer about the part of Swift's `Synchronization.Mutex` it cannot see.
//
// On Linux `Mutex` is a priority-inheritance futex. Its fast paths (an uncontended lock or unlock)
// are an atomic compare-exchange inlined into our code, which ThreadSanitizer instruments and
// understands. Its slow paths (`_lockSlow`, `_tryLockSlow`, `_unlockSlow`: the lock was contended,
// the kernel hands it over) live in libswiftSynchronization.so, which is not instrumented. So
// whenever a lock changes hands under contention, ThreadSanitizer loses the happens-before edge
// and reports a "race" between two accesses that were both made holding the same lock: in our
// code and in swift-subprocess alike (every `Mutex` user). Swift did the same for its own
// `swift_once` lock (swiftlang/swift#66877).
//
// Tests/Sanitizers/run.sh builds this file and preloads it (LD_PRELOAD) for a ThreadSanitizer run.
// It wraps the three slow paths: `__tsan_release` on the lock word before an unlock, and
// `__tsan_acquire` on it after a lock, the same address the inlined fast paths synchronize on.
// Nothing is ignored or suppressed: an access made *without* the lock is still reported. In a
// process without ThreadSanitizer (the shell, `true`, tmux) the weak symbols are null and the
// wrappers only forward; in one that never loads Synchronization they are never called.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define SWIFTCALL __attribute__((swiftcall))
// `swift_context` is clang's name for Swift's `self` register (LLVM `swiftself`).
#define SWIFT_SELF __attribute__((swift_context))

extern void __tsan_acquire(void *address) __attribute__((weak));
extern void __tsan_release(void *address) __attribute__((weak));

#define LOCK_SLOW "$s15Synchronization12_MutexHandleV9_lockSlowyys6UInt32VF"
#define TRY_LOCK_SLOW "$s15Synchronization12_MutexHandleV12_tryLockSlowSbyF"
#define UNLOCK_SLOW "$s15Synchronization12_MutexHandleV11_unlockSlowyyF"

typedef SWIFTCALL void (*LockSlow)(uint32_t, void *SWIFT_SELF);
typedef SWIFTCALL bool (*TryLockSlow)(void *SWIFT_SELF);
typedef SWIFTCALL void (*UnlockSlow)(void *SWIFT_SELF);

static void *next(const char *name) {
    void *symbol = dlsym(RTLD_NEXT, name);
    if (!symbol) {
        fprintf(stderr, "tsan-mutex: %s not found in libswiftSynchronization\n", name);
        abort();
    }
    return symbol;
}

SWIFTCALL void lock_slow(uint32_t thread_id, void *SWIFT_SELF handle) __asm__(LOCK_SLOW);
SWIFTCALL void lock_slow(uint32_t thread_id, void *SWIFT_SELF handle) {
    static LockSlow cached;
    LockSlow real = __atomic_load_n(&cached, __ATOMIC_ACQUIRE);
    if (!real) __atomic_store_n(&cached, real = (LockSlow)next(LOCK_SLOW), __ATOMIC_RELEASE);
    real(thread_id, handle);
    if (__tsan_acquire) __tsan_acquire(handle);
}

SWIFTCALL bool try_lock_slow(void *SWIFT_SELF handle) __asm__(TRY_LOCK_SLOW);
SWIFTCALL bool try_lock_slow(void *SWIFT_SELF handle) {
    static TryLockSlow cached;
    TryLockSlow real = __atomic_load_n(&cached, __ATOMIC_ACQUIRE);
    if (!real) __atomic_store_n(&cached, real = (TryLockSlow)next(TRY_LOCK_SLOW), __ATOMIC_RELEASE);
    bool locked = real(handle);
    if (locked && __tsan_acquire) __tsan_acquire(handle);
    return locked;
}

SWIFTCALL void unlock_slow(void *SWIFT_SELF handle) __asm__(UNLOCK_SLOW);
SWIFTCALL void unlock_slow(void *SWIFT_SELF handle) {
    static UnlockSlow cached;
    UnlockSlow real = __atomic_load_n(&cached, __ATOMIC_ACQUIRE);
    if (!real) __atomic_store_n(&cached, real = (UnlockSlow)next(UNLOCK_SLOW), __ATOMIC_RELEASE);
    if (__tsan_release) __tsan_release(handle);
    real(handle);
}
