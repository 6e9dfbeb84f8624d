/* Linux's affinity API on several CPUs (the smp test). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <takt/takt.h>

#include "smp_test.h"

/* ---- Linux's API: sched_*affinity, pthread_*affinity_np, sched_getcpu,
 * sysconf, the CPU_* macros, the thread CPU-time clock ---- */
static void *posix_pinned(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)sched_getcpu();
}

void test_posix(void)
{
	cpu_set_t set, got;
	pthread_attr_t a;
	pthread_t th;
	void *where = (void *)-1;
	struct timespec t0, t1;

	TK_CHECK("sysconf_nprocessors", sysconf(_SC_NPROCESSORS_ONLN) == (long)ncpu &&
					    sysconf(_SC_NPROCESSORS_CONF) >= (long)ncpu);
	CPU_ZERO(&set);
	CPU_SET(1, &set);
	TK_CHECK("sched_setaffinity_self", sched_setaffinity(0, sizeof(set), &set) == 0 &&
					       sched_getcpu() == 1);
	CPU_ZERO(&got);
	TK_CHECK("sched_getaffinity_self", sched_getaffinity(0, sizeof(got), &got) == 0 &&
					       CPU_EQUAL(&set, &got) && CPU_COUNT(&got) == 1);
	CPU_ZERO(&set);
	errno = 0;
	TK_CHECK("sched_setaffinity_empty_einval",
		 sched_setaffinity(0, sizeof(set), &set) == -1 && errno == EINVAL && sched_getcpu() == 1);
	CPU_SET(100, &set);
	errno = 0;
	TK_CHECK("sched_setaffinity_cpu100_einval",
		 sched_setaffinity(0, sizeof(set), &set) == -1 && errno == EINVAL);
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	TK_CHECK("pthread_setaffinity_np_self",
		 pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0 && sched_getcpu() == 0);
	pthread_attr_init(&a);
	CPU_ZERO(&set);
	CPU_SET(ncpu - 1, &set);
	TK_CHECK("pthread_attr_setaffinity_np", pthread_attr_setaffinity_np(&a, sizeof(set), &set) == 0);
	clockid_t gone_clock = 0;

	if (pthread_create(&th, &a, posix_pinned, 0) == 0) {
		pthread_getcpuclockid(th, &gone_clock);
		pthread_join(th, &where);
	}
	TK_CHECK("created_thread_runs_on_attr_cpu", (intptr_t)where == (intptr_t)(ncpu - 1));
	errno = 0;
	TK_CHECK("cpu_clock_of_joined_thread_einval",
		 gone_clock && clock_gettime(gone_clock, &t0) == -1 && errno == EINVAL);
	CPU_ZERO(&set);
	CPU_SET(31, &set);
	TK_CHECK("attr_setaffinity_offline_einval",
		 pthread_attr_setaffinity_np(&a, sizeof(set), &set) == EINVAL);
	TK_CHECK("getcpuclockid_null_einval", pthread_getcpuclockid(pthread_self(), 0) == EINVAL);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	for (volatile int i = 0; i < 100000; i++)
		;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
	TK_CHECK("thread_cputime_advances", t1.tv_sec > t0.tv_sec ||
					    (t1.tv_sec == t0.tv_sec && t1.tv_nsec > t0.tv_nsec));
	clockid_t cid;

	TK_CHECK("pthread_getcpuclockid", pthread_getcpuclockid(pthread_self(), &cid) == 0 &&
					  clock_gettime(cid, &t0) == 0);
}

