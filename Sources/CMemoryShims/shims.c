#include "CMemoryShims.h"
#include <sys/syscall.h>
#include <unistd.h>

__thread void *cmemory_thread_cache __attribute__((tls_model("initial-exec")));

long cmemory_membarrier(int cmd) {
#ifdef SYS_membarrier
    return syscall(SYS_membarrier, cmd, 0, 0);
#else
    (void)cmd;
    return -1;
#endif
}
