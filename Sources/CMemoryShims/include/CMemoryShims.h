// What the memory pool's per-thread caches need from C: a thread-local pointer that costs one load
// (Swift has no thread-locals, and pthread_getspecific is a call into libc of about 20 instructions,
// on the store and release paths alike) and the membarrier system call (glibc's `syscall` is
// variadic, which Swift does not import).
#ifndef CMEMORYSHIMS_H
#define CMEMORYSHIMS_H

// initial-exec: the engine is linked into executables, never dlopen'ed, so the variable sits at a
// fixed offset from the thread pointer.
extern __thread void *cmemory_thread_cache __attribute__((tls_model("initial-exec")));

static inline void *cmemory_thread_cache_get(void) { return cmemory_thread_cache; }
static inline void cmemory_thread_cache_set(void *record) { cmemory_thread_cache = record; }

/// membarrier(2) with `cmd` and no flags: 0 on success, -1 with errno set.
long cmemory_membarrier(int cmd);

#endif
