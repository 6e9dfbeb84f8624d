/*
 * <sys/mman.h>: memory locking, as Linux real-time programs call it
 * (rt-tests' cyclictest -m, pi_stress, ... call mlockall at start-up).
 * Takt has no paging and no swap: every page is resident and stays so,
 * so locking is already the state of all memory and these calls only
 * validate their arguments (Linux's checks) and succeed. Mapping calls
 * (mmap, munmap, mprotect) are not provided: a program using them fails
 * to link rather than running with a wrong result.
 */
#ifndef TAKT_SYS_MMAN_H
#define TAKT_SYS_MMAN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Linux's values, so a program's flags mean the same thing here. */
#define MCL_CURRENT 1
#define MCL_FUTURE 2
#define MCL_ONFAULT 4

int mlockall(int flags);
int munlockall(void);
int mlock(const void *addr, size_t len);
int munlock(const void *addr, size_t len);

#ifdef __cplusplus
}
#endif

#endif
