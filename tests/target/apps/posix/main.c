/*
 * The POSIX layer (kernel/posix/): pthreads, mutexes, condition variables,
 * keys, once, semaphores, sched_setattr with SCHED_DEADLINE, clocks and
 * sleeps, and newlib's printf/malloc from 50 threads at once. One check
 * per claim; every API is also fed bad arguments, which must return an
 * error and never crash.
 */
#define _GNU_SOURCE
#include <stdio.h>

#include "posix_test.h"

void check(const char *name, bool ok, const char *file, int line, const char *cond)
{
	if (ok) {
		tk_test_passed++;
		printf("PASS %s\n", name);
	} else {
		tk_test_failed++;
		printf("FAIL %s (%s:%d: %s)\n", name, file, line, cond);
	}
}

int main(void)
{
	uint64_t t0 = now_ns();

	test_threads();
	test_sync();
	test_sched();
	printf("posix: %lu ms\n", (unsigned long)((now_ns() - t0) / 1000000u));
	return tk_test_done();
}
