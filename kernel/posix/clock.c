/*
 * POSIX clocks and sleeps on tk_now_ns(). CLOCK_REALTIME (and time(),
 * gettimeofday(): see syscalls.c) is the wall clock, tk_realtime_ns(): the
 * monotonic clock plus an offset that SNTP or clock_settime sets; there is
 * no RTC, so before that it counts from the epoch at boot. Sleeps are never
 * interrupted (there are no signals), so rem is never written.
 * clock_* and pthread-style calls return the error number; nanosleep,
 * usleep and friends return -1 with errno, as POSIX says.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include <takt/thread.h>
#include <takt/time.h>

#include "posix_internal.h"

/* Every clock id newlib defines except the CPU-time ones. */
static bool clock_known(clockid_t c)
{
	return c == CLOCK_REALTIME || c == CLOCK_MONOTONIC || c == CLOCK_REALTIME_COARSE ||
	       c == CLOCK_MONOTONIC_RAW || c == CLOCK_MONOTONIC_COARSE || c == CLOCK_BOOTTIME;
}

/* The clocks a sleep may be measured on (Linux: no coarse or raw ones). */
static bool clock_sleeps(clockid_t c)
{
	return c == CLOCK_REALTIME || c == CLOCK_MONOTONIC || c == CLOCK_BOOTTIME;
}

static int fail(int err)
{
	errno = err;
	return -1;
}

int clock_gettime(clockid_t c, struct timespec *tp)
{
	uint64_t ns;
	int cpu = posix_cpu_clock_ns(c, &ns);

	if (cpu < 0)
		return fail(EINVAL);	/* Linux: a dead thread's clock is EINVAL */
	if (!cpu && !clock_known(c))
		return fail(EINVAL);
	if (!tp)
		return fail(EFAULT);
	if (!cpu)
		ns = c == CLOCK_REALTIME || c == CLOCK_REALTIME_COARSE ? tk_realtime_ns() :
		     tk_now_ns();
	tp->tv_sec = (time_t)(ns / 1000000000u);
	tp->tv_nsec = (long)(ns % 1000000000u);
	return 0;
}

/* 1 ns: tk_now_ns() counts ns (its real step is the arch counter's). */
int clock_getres(clockid_t c, struct timespec *res)
{
	if (!clock_known(c))
		return fail(EINVAL);
	if (res) {
		res->tv_sec = 0;
		res->tv_nsec = 1;
	}
	return 0;
}

int clock_settime(clockid_t c, const struct timespec *tp)
{
	if (!clock_known(c))
		return fail(EINVAL);
	if (!tp)
		return fail(EFAULT);
	if (!posix_ts_valid(tp))
		return fail(EINVAL);
	/* Only the real-time clock is settable, as on Linux; a time before
	 * 2000 or past 2100 is refused (a clock set to 1970 by mistake would
	 * stamp every log line wrong). */
	if (c != CLOCK_REALTIME)
		return fail(EINVAL);
	return tk_realtime_set(posix_ts_ns(tp), TK_TIME_SET) ? fail(EINVAL) : 0;
}

int clock_nanosleep(clockid_t c, int flags, const struct timespec *req, struct timespec *rem)
{
	uint64_t t;

	(void)rem;
	if (!clock_known(c))
		return EINVAL;
	if (!clock_sleeps(c))
		return ENOTSUP;
	if (flags & ~TIMER_ABSTIME)
		return EINVAL;
	if (!req)
		return EFAULT;
	if (!posix_ts_valid(req) || req->tv_sec < 0)
		return EINVAL;
	t = posix_ts_ns(req);
	if ((flags & TIMER_ABSTIME) && c == CLOCK_REALTIME)
		t = tk_realtime_to_mono(t);
	tk_sleep_until_ns(flags & TIMER_ABSTIME ? t : tk_after_ns(t));
	return 0;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	int rc = clock_nanosleep(CLOCK_MONOTONIC, 0, req, rem);

	return rc ? fail(rc) : 0;
}

int usleep(useconds_t us)
{
	tk_sleep_ns((uint64_t)us * 1000u);
	return 0;
}

unsigned sleep(unsigned s)
{
	tk_sleep_ns((uint64_t)s * 1000000000u);
	return 0;
}
