/* Shared by the POSIX layer's files (kernel/posix/); not public. */
#ifndef TAKT_POSIX_INTERNAL_H
#define TAKT_POSIX_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <takt/thread.h>
#include <takt/time.h>

/* A timespec a caller passed: tv_nsec in [0, 1e9). */
static inline bool posix_ts_valid(const struct timespec *ts)
{
	return ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000L;
}

/* ns of a valid timespec, saturating at TK_FOREVER; a negative time is 0
 * (already past). */
static inline uint64_t posix_ts_ns(const struct timespec *ts)
{
	if (ts->tv_sec < 0)
		return 0;
	if ((uint64_t)ts->tv_sec > (TK_FOREVER - 999999999u) / 1000000000u)
		return TK_FOREVER;
	return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

/* The kernel deadline of an absolute timeout on clock: CLOCK_REALTIME is
 * the wall clock (tk_realtime_ns), made monotonic at the call (a later step
 * of the wall clock does not move it, as on Linux for relative waits);
 * the others are tk_now_ns() itself. 0 or EINVAL. */
static inline int posix_abstime(const struct timespec *abstime, int clock, uint64_t *deadline)
{
	if (!abstime || !posix_ts_valid(abstime))
		return EINVAL;
	*deadline = posix_ts_ns(abstime);
	if (clock == (int)CLOCK_REALTIME && *deadline != TK_FOREVER)
		*deadline = tk_realtime_to_mono(*deadline);
	return 0;
}

/* pthread_attr_t.__magic of an initialised attribute object ("ptha"). */
#define POSIX_ATTR_MAGIC 0x70746861

/* Scheduling policy + priority -> kernel parameters (FIFO/RR only).
 * 0, EINVAL (bad priority or policy), ENOTSUP (a Linux policy that does
 * not exist here: SCHED_OTHER, BATCH, IDLE). */
int posix_sched_fp(int policy, int prio, struct tk_sched *s);

/* The thread a pid names (0 and getpid(): the caller), or NULL. */
tk_thread_t *posix_thread_of_pid(pid_t pid);

/* affinity.c: a thread CPU-time clock's reading. 1 (*ns set), 0 (not a
 * CPU-time clock), -ESRCH (its thread is gone). */
int posix_cpu_clock_ns(clockid_t c, uint64_t *ns);
/* Kernel error (negative) to the POSIX error number for thread lookups. */
static inline int posix_err(int rc)
{
	return rc < 0 ? -rc : rc;
}

#endif
