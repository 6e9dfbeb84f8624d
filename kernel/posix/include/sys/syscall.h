/*
 * <sys/syscall.h>: the system call numbers of Linux on this architecture
 * for the calls syscall() provides (kernel/posix/syscall.c). Real-time
 * programs reach sched_setattr/sched_getattr and gettid this way when
 * their C library has no wrapper (rt-tests does). Only these numbers are
 * defined, so a program naming another one fails to compile; a number
 * passed at run time that is not here is ENOSYS.
 */
#ifndef TAKT_SYS_SYSCALL_H
#define TAKT_SYS_SYSCALL_H

#if defined(__aarch64__)
#define __NR_sched_yield 124
#define __NR_getpid 172
#define __NR_gettid 178
#define __NR_sched_setattr 274
#define __NR_sched_getattr 275
#elif defined(__x86_64__)
#define __NR_sched_yield 24
#define __NR_getpid 39
#define __NR_gettid 186
#define __NR_sched_setattr 314
#define __NR_sched_getattr 315
#else
#error "<sys/syscall.h>: no Linux numbers for this architecture"
#endif

#define SYS_sched_yield __NR_sched_yield
#define SYS_getpid __NR_getpid
#define SYS_gettid __NR_gettid
#define SYS_sched_setattr __NR_sched_setattr
#define SYS_sched_getattr __NR_sched_getattr

#endif
