/* Shared by the POSIX target test's files. */
#ifndef POSIX_TEST_H
#define POSIX_TEST_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "tk_test.h"

/* tk_test.h's counters are static: every file reports through these. */
void check(const char *name, bool ok, const char *file, int line, const char *cond);
#undef TK_CHECK
#define TK_CHECK(name, cond) check(name, (cond), __FILE__, __LINE__, #cond)

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* An absolute time ms from now on CLOCK_MONOTONIC (= CLOCK_REALTIME). */
static inline struct timespec abs_in_ms(unsigned ms)
{
	uint64_t t = now_ns() + (uint64_t)ms * 1000000u;

	return (struct timespec){ .tv_sec = (time_t)(t / 1000000000u),
				  .tv_nsec = (long)(t % 1000000000u) };
}

static inline uint64_t ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

void test_threads(void);
void test_sync(void);
void test_sched(void);

#endif
