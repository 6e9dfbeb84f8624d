/*
 * Takt's POSIX options on top of newlib's <sys/features.h>. newlib turns
 * the options on only for the targets it knows (RTEMS, Cygwin, ...); for a
 * generic ELF target it leaves them off and hides clock_gettime,
 * CLOCK_MONOTONIC, clock_nanosleep and the sched_* calls. kernel/posix/
 * implements them, so they are announced here, where newlib's own headers
 * (and programs testing _POSIX_*) look for them.
 *
 * Not announced (not implemented): process-shared objects, CPU-time
 * clocks, priority ceilings (PTHREAD_PRIO_PROTECT), barriers, rwlocks,
 * spin locks, cancellation, sporadic server. _POSIX_TIMERS is announced
 * for clock_gettime/clock_getres/nanosleep; timer_create and friends are
 * declared by newlib but not provided.
 */
#ifndef TAKT_POSIX_SYS_FEATURES_H
#define TAKT_POSIX_SYS_FEATURES_H

#include_next <sys/features.h>

#if !defined(__rtems__) && !defined(__CYGWIN__)
#define _POSIX_THREADS				200809L
#define _POSIX_THREAD_ATTR_STACKADDR		200809L
#define _POSIX_THREAD_ATTR_STACKSIZE		200809L
#define _POSIX_THREAD_PRIORITY_SCHEDULING	200809L
#define _POSIX_THREAD_PRIO_INHERIT		200809L
#define _POSIX_TIMEOUTS				200809L
#define _POSIX_TIMERS				200809L
#define _POSIX_MONOTONIC_CLOCK			200809L
#define _POSIX_CLOCK_SELECTION			200809L
#define _POSIX_CPUTIME				200809L
#define _POSIX_THREAD_CPUTIME			200809L
#define _POSIX_PRIORITY_SCHEDULING		200809L
#define _POSIX_SEMAPHORES			200809L
#ifndef _UNIX98_THREAD_MUTEX_ATTRIBUTES
#define _UNIX98_THREAD_MUTEX_ATTRIBUTES		1
#endif
#endif

#endif
