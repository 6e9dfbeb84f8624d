/* newlib's <unistd.h> plus gettid() (glibc, _GNU_SOURCE): the calling
 * thread's id for sched_setattr() and friends; and syscall() (glibc,
 * _DEFAULT_SOURCE) for the Linux calls in <sys/syscall.h>. */
#ifndef TAKT_POSIX_UNISTD_H
#define TAKT_POSIX_UNISTD_H

#include_next <unistd.h>

#if __GNU_VISIBLE
#ifdef __cplusplus
extern "C" {
#endif
pid_t gettid(void);
#ifdef __cplusplus
}
#endif
#endif

#if __MISC_VISIBLE
#ifdef __cplusplus
extern "C" {
#endif
long syscall(long __number, ...);
#ifdef __cplusplus
}
#endif
#endif

#endif
