/* Scheduling (sched_setattr with SCHED_DEADLINE, the POSIX sched_* calls)
 * and clocks and sleeps. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <takt/thread.h>
#include <unistd.h>

#include "posix_test.h"

#define MS 1000000ull

/* A thread that parks on a semaphore so that main can change it. */
static sem_t parked, unpark;
static pid_t parked_tid;
static pthread_t parked_thread;

static void *park(void *arg)
{
	parked_tid = gettid();
	sem_post(&parked);
	sem_wait(&unpark);
	return arg;
}

static struct sched_attr dl_attr(uint64_t runtime, uint64_t deadline, uint64_t period)
{
	return (struct sched_attr){ .size = sizeof(struct sched_attr),
				    .sched_policy = SCHED_DEADLINE,
				    .sched_runtime = runtime,
				    .sched_deadline = deadline,
				    .sched_period = period };
}

static void deadline_admission(pid_t tid)
{
	struct sched_attr a = dl_attr(10 * MS, 100 * MS, 100 * MS), got;
	struct sched_param p;
	int policy = -1;

	TK_CHECK("setattr_deadline_admitted", sched_setattr(tid, &a, 0) == 0);
	memset(&got, 0xff, sizeof(got));
	TK_CHECK("getattr_shows_deadline_params",
		 sched_getattr(tid, &got, sizeof(got), 0) == 0 && got.size == sizeof(got) &&
		 got.sched_policy == SCHED_DEADLINE && got.sched_priority == 0 &&
		 got.sched_runtime == 10 * MS && got.sched_deadline == 100 * MS &&
		 got.sched_period == 100 * MS);
	TK_CHECK("getscheduler_deadline", sched_getscheduler(tid) == SCHED_DEADLINE);
	p.sched_priority = -1;
	TK_CHECK("pthread_getschedparam_deadline_prio_0",
		 pthread_getschedparam(parked_thread, &policy, &p) == 0 && policy == SCHED_DEADLINE &&
		 p.sched_priority == 0);

	/* 99 % > the 95 % bound of one CPU (on several, it would be split over two) */
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	TK_CHECK("setaffinity_deadline_one_cpu", sched_setaffinity(tid, sizeof(one), &one) == 0);
	a = dl_attr(99 * MS, 100 * MS, 100 * MS);
	errno = 0;
	TK_CHECK("setattr_inadmissible_ebusy", sched_setattr(tid, &a, 0) == -1 && errno == EBUSY);
	memset(&got, 0, sizeof(got));
	TK_CHECK("getattr_after_ebusy_unchanged",
		 sched_getattr(tid, &got, sizeof(got), 0) == 0 &&
		 got.sched_policy == SCHED_DEADLINE && got.sched_runtime == 10 * MS &&
		 got.sched_deadline == 100 * MS && got.sched_period == 100 * MS);

	/* Period 0 means period = deadline (Linux). */
	a = dl_attr(5 * MS, 50 * MS, 0);
	TK_CHECK("setattr_period_0_is_deadline",
		 sched_setattr(tid, &a, 0) == 0 && sched_getattr(tid, &got, sizeof(got), 0) == 0 &&
		 got.sched_period == 50 * MS && got.sched_runtime == 5 * MS);
	/* A VER0 caller (48 bytes) is understood; getattr fills only 48. */
	a = dl_attr(6 * MS, 60 * MS, 60 * MS);
	a.size = SCHED_ATTR_SIZE_VER0;
	memset(&got, 0x5a, sizeof(got));
	TK_CHECK("setattr_getattr_size_ver0",
		 sched_setattr(tid, &a, 0) == 0 &&
		 sched_getattr(tid, &got, SCHED_ATTR_SIZE_VER0, 0) == 0 &&
		 got.size == SCHED_ATTR_SIZE_VER0 && got.sched_runtime == 6 * MS &&
		 got.sched_util_min == 0x5a5a5a5a);
}

static void invalid_attrs(pid_t tid)
{
	struct {
		struct sched_attr a;
		uint64_t extra;
	} big;
	struct sched_attr a, got;

	errno = 0;
	TK_CHECK("setattr_null_einval", sched_setattr(0, NULL, 0) == -1 && errno == EINVAL);
	a = dl_attr(10 * MS, 100 * MS, 100 * MS);
	TK_CHECK("setattr_flags_einval", sched_setattr(tid, &a, 1) == -1 && errno == EINVAL);
	TK_CHECK("setattr_negative_pid_einval", sched_setattr(-5, &a, 0) == -1 && errno == EINVAL);
	TK_CHECK("setattr_unknown_tid_esrch", sched_setattr(123456, &a, 0) == -1 && errno == ESRCH);
	a.size = 8;
	TK_CHECK("setattr_small_size_e2big", sched_setattr(tid, &a, 0) == -1 && errno == E2BIG &&
						     a.size == sizeof(struct sched_attr));
	memset(&big, 0, sizeof(big));
	big.a = dl_attr(10 * MS, 100 * MS, 100 * MS);
	big.a.size = sizeof(big);
	big.extra = 1;
	TK_CHECK("setattr_bigger_struct_nonzero_tail_e2big",
		 sched_setattr(tid, &big.a, 0) == -1 && errno == E2BIG);
	big.extra = 0;
	big.a.size = sizeof(big);
	TK_CHECK("setattr_bigger_struct_zero_tail_ok", sched_setattr(tid, &big.a, 0) == 0);

	a = dl_attr(20 * MS, 10 * MS, 100 * MS);
	TK_CHECK("setattr_runtime_above_deadline_einval", sched_setattr(tid, &a, 0) == -1 && errno == EINVAL);
	a = dl_attr(10 * MS, 100 * MS, 50 * MS);
	TK_CHECK("setattr_deadline_above_period_einval", sched_setattr(tid, &a, 0) == -1 && errno == EINVAL);
	a = dl_attr(0, 0, 0);
	TK_CHECK("setattr_deadline_0_einval", sched_setattr(tid, &a, 0) == -1 && errno == EINVAL);
	a = dl_attr(100, 100 * MS, 100 * MS);
	TK_CHECK("setattr_runtime_below_1024ns_einval", sched_setattr(tid, &a, 0) == -1 && errno == EINVAL);
	a = dl_attr(10 * MS, 100 * MS, 1ull << 63);
	TK_CHECK("setattr_period_bit63_einval", sched_setattr(tid, &a, 0) == -1 && errno == EINVAL);
	a = dl_attr(10 * MS, 100 * MS, 100 * MS);
	a.sched_priority = 5;
	TK_CHECK("setattr_deadline_with_prio_einval", sched_setattr(tid, &a, 0) == -1 && errno == EINVAL);
	a.sched_priority = 0;
	a.sched_flags = 0x1000;
	TK_CHECK("setattr_unknown_sched_flags_einval", sched_setattr(tid, &a, 0) == -1 && errno == EINVAL);
	a.sched_flags = SCHED_FLAG_RECLAIM;
	TK_CHECK("setattr_reclaim_unsupported_einval", sched_setattr(tid, &a, 0) == -1 && errno == EINVAL);
	a.sched_flags = SCHED_FLAG_UTIL_CLAMP_MAX;
	a.sched_util_max = 2000;
	TK_CHECK("setattr_uclamp_above_1024_einval", sched_setattr(tid, &a, 0) == -1 && errno == EINVAL);

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.sched_policy = 42;
	TK_CHECK("setattr_unknown_policy_einval", sched_setattr(tid, &a, 0) == -1 && errno == EINVAL);
	a.sched_policy = SCHED_OTHER;
	TK_CHECK("setattr_sched_other_einval", sched_setattr(tid, &a, 0) == -1 && errno == EINVAL);
	a.sched_policy = SCHED_FIFO;
	TK_CHECK("setattr_fifo_prio_0_einval", sched_setattr(tid, &a, 0) == -1 && errno == EINVAL);
	a.sched_priority = 100;
	TK_CHECK("setattr_fifo_prio_100_einval", sched_setattr(tid, &a, 0) == -1 && errno == EINVAL);

	TK_CHECK("getattr_small_size_einval", sched_getattr(tid, &got, 47, 0) == -1 && errno == EINVAL);
	TK_CHECK("getattr_null_einval", sched_getattr(tid, NULL, sizeof(got), 0) == -1 && errno == EINVAL);
	TK_CHECK("getattr_flags_einval", sched_getattr(tid, &got, sizeof(got), 1) == -1 && errno == EINVAL);
	TK_CHECK("getattr_unknown_tid_esrch", sched_getattr(123456, &got, sizeof(got), 0) == -1 &&
					      errno == ESRCH);
}

static void posix_sched(pid_t tid)
{
	struct sched_param p = { 0 }, mine;
	struct sched_attr got;
	int policy;

	pthread_getschedparam(pthread_self(), &policy, &mine);
	TK_CHECK("priority_range_fifo", sched_get_priority_min(SCHED_FIFO) == 1 &&
					sched_get_priority_max(SCHED_FIFO) == 99);
	TK_CHECK("priority_range_rr", sched_get_priority_min(SCHED_RR) == 1 &&
				      sched_get_priority_max(SCHED_RR) == 99);
	TK_CHECK("priority_range_deadline_0", sched_get_priority_max(SCHED_DEADLINE) == 0);
	TK_CHECK("priority_range_bad_policy_einval", sched_get_priority_max(42) == -1 && errno == EINVAL);
	TK_CHECK("getscheduler_0_is_caller", sched_getscheduler(0) == policy);
	TK_CHECK("getscheduler_getpid_is_caller", sched_getscheduler(getpid()) == policy);
	TK_CHECK("getparam_0_is_caller",
		 sched_getparam(0, &p) == 0 && p.sched_priority == mine.sched_priority);
	TK_CHECK("getattr_0_is_caller", sched_getattr(0, &got, sizeof(got), 0) == 0 &&
					got.sched_policy == (unsigned)policy &&
					got.sched_priority == (unsigned)mine.sched_priority);
	TK_CHECK("getscheduler_unknown_esrch", sched_getscheduler(123456) == -1 && errno == ESRCH);
	TK_CHECK("getparam_null_einval", sched_getparam(0, NULL) == -1 && errno == EINVAL);

	/* Back from DEADLINE to fixed priority, then a priority change. */
	p.sched_priority = mine.sched_priority;
	TK_CHECK("setscheduler_deadline_to_fifo", sched_setscheduler(tid, SCHED_FIFO, &p) == 0 &&
						  sched_getscheduler(tid) == SCHED_FIFO);
	p.sched_priority = mine.sched_priority > 1 ? mine.sched_priority - 1 : 2;
	TK_CHECK("setparam_changes_prio", sched_setparam(tid, &p) == 0);
	memset(&mine, 0, sizeof(mine));
	TK_CHECK("getparam_shows_it", sched_getparam(tid, &mine) == 0 &&
				      mine.sched_priority == p.sched_priority);
	TK_CHECK("setscheduler_rr", sched_setscheduler(tid, SCHED_RR, &p) == 0 &&
				    sched_getscheduler(tid) == SCHED_RR);
	{
		struct timespec ts = { 1, 1 };

		TK_CHECK("rr_interval_default_10ms", sched_rr_get_interval(tid, &ts) == 0 &&
						     ts.tv_sec == 0 && ts.tv_nsec == 10 * (long)MS);
		TK_CHECK("rr_interval_fifo_0", sched_rr_get_interval(0, &ts) == 0 && ts.tv_nsec == 0);
	}
	p.sched_priority = 0;
	TK_CHECK("setscheduler_prio_0_einval", sched_setscheduler(tid, SCHED_FIFO, &p) == -1 &&
					       errno == EINVAL);
	TK_CHECK("setscheduler_deadline_einval", sched_setscheduler(tid, SCHED_DEADLINE, &p) == -1 &&
						 errno == EINVAL);
	TK_CHECK("setscheduler_null_einval", sched_setscheduler(tid, SCHED_FIFO, NULL) == -1 &&
					     errno == EINVAL);
	p.sched_priority = 10;
	TK_CHECK("pthread_setschedparam_other_enotsup",
		 pthread_setschedparam(pthread_self(), SCHED_OTHER, &p) == ENOTSUP);
	TK_CHECK("pthread_setschedparam_deadline_einval",
		 pthread_setschedparam(pthread_self(), SCHED_DEADLINE, &p) == EINVAL);
	p.sched_priority = 100;
	TK_CHECK("pthread_setschedparam_prio_100_einval",
		 pthread_setschedparam(pthread_self(), SCHED_FIFO, &p) == EINVAL);
	TK_CHECK("sched_yield", sched_yield() == 0);
}

/* rt-tests' way in: syscall() with Linux's numbers, on the same checks. */
static void via_syscall(pid_t tid)
{
	struct sched_attr a = dl_attr(5 * MS, 50 * MS, 50 * MS), got;

	TK_CHECK("syscall_gettid", syscall(SYS_gettid) == gettid());
	TK_CHECK("syscall_setattr_deadline", syscall(SYS_sched_setattr, tid, &a, 0) == 0);
	memset(&got, 0, sizeof(got));
	TK_CHECK("syscall_getattr_deadline",
		 syscall(SYS_sched_getattr, tid, &got, sizeof(got), 0) == 0 &&
		 got.sched_policy == SCHED_DEADLINE && got.sched_runtime == 5 * MS &&
		 got.sched_period == 50 * MS);
	errno = 0;
	TK_CHECK("syscall_setattr_null_einval",
		 syscall(SYS_sched_setattr, tid, NULL, 0) == -1 && errno == EINVAL);
	errno = 0;
	TK_CHECK("syscall_unknown_enosys", syscall(100000L) == -1 && errno == ENOSYS);
	TK_CHECK("syscall_sched_yield", syscall(SYS_sched_yield) == 0);
}

static void scheduling(void)
{
	pthread_t t;

	sem_init(&parked, 0, 0);
	sem_init(&unpark, 0, 0);
	pthread_create(&t, NULL, park, NULL);
	parked_thread = t;
	sem_wait(&parked);
	deadline_admission(parked_tid);
	invalid_attrs(parked_tid);
	posix_sched(parked_tid);
	via_syscall(parked_tid);
	sem_post(&unpark);
	TK_CHECK("deadline_thread_joined", pthread_join(t, NULL) == 0);
}


/* A PTHREAD_COND_INITIALIZER condition waits on CLOCK_REALTIME: with the
 * wall clock set (2025), "now + 20 ms" in wall time times out (it was once
 * read as a monotonic time 55 years off: a wait for good). */
static void static_cond_on_realtime(void)
{
	static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
	static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	struct timespec t, after;
	int rc;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_nsec += 20000000;
	if (t.tv_nsec >= 1000000000) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&m);
	rc = pthread_cond_timedwait(&cv, &m, &t);
	pthread_mutex_unlock(&m);
	TK_CHECK("static_cond_timedwait_on_realtime_times_out", rc == ETIMEDOUT &&
		 clock_gettime(CLOCK_REALTIME, &after) == 0 && ts_ns(&after) >= ts_ns(&t));
}

static void clocks(void)
{
	struct timespec a, b, req = { 0, 10 * (long)MS }, bad = { 0, 1000000000L }, neg = { -1, 0 };
	struct timespec target;
	uint64_t t0;

	struct timespec c;

	/* REALTIME, never set, is the monotonic clock: read between two
	 * monotonic reads it falls between them (no timing bound: a loaded host
	 * may stall here). */
	TK_CHECK("clock_gettime_monotonic", clock_gettime(CLOCK_MONOTONIC, &a) == 0);
	TK_CHECK("clock_gettime_realtime", clock_gettime(CLOCK_REALTIME, &b) == 0);
	TK_CHECK("clock_gettime_monotonic_again", clock_gettime(CLOCK_MONOTONIC, &c) == 0);
	TK_CHECK("realtime_is_monotonic_clock", ts_ns(&a) <= ts_ns(&b) && ts_ns(&b) <= ts_ns(&c));
	usleep(1000);
	TK_CHECK("clock_gettime_advances_by_a_sleep", clock_gettime(CLOCK_MONOTONIC, &b) == 0 &&
		 ts_ns(&b) >= ts_ns(&a) + 1000000);
	TK_CHECK("clock_gettime_bad_clock_einval", clock_gettime(999, &a) == -1 && errno == EINVAL);
	TK_CHECK("clock_gettime_null_efault", clock_gettime(CLOCK_MONOTONIC, NULL) == -1 && errno == EFAULT);
	TK_CHECK("clock_getres_1ns", clock_getres(CLOCK_MONOTONIC, &a) == 0 && a.tv_sec == 0 &&
				     a.tv_nsec == 1);
	TK_CHECK("clock_getres_null_ok", clock_getres(CLOCK_REALTIME, NULL) == 0);
	/* Setting it: before 2000 refused, MONOTONIC refused, 2026 taken (and
	 * the monotonic clock does not move); a REALTIME absolute sleep then
	 * ends at that wall time. */
	TK_CHECK("clock_settime_1970_einval", clock_settime(CLOCK_REALTIME, &b) == -1 && errno == EINVAL);
	TK_CHECK("clock_settime_monotonic_einval",
		 clock_settime(CLOCK_MONOTONIC, &(struct timespec){ 1764932100, 0 }) == -1 &&
		 errno == EINVAL);
	clock_gettime(CLOCK_MONOTONIC, &a);
	TK_CHECK("clock_settime_realtime", clock_settime(CLOCK_REALTIME,
		 &(struct timespec){ 1764932100, 0 }) == 0);	/* 2025-12-05T10:55:00Z */
	TK_CHECK("realtime_set", clock_gettime(CLOCK_REALTIME, &b) == 0 && b.tv_sec >= 1764932100 &&
				 b.tv_sec < 1764932100 + 60);
	TK_CHECK("monotonic_not_stepped", clock_gettime(CLOCK_MONOTONIC, &c) == 0 &&
					  ts_ns(&c) >= ts_ns(&a) && c.tv_sec < 1000000);
	b.tv_nsec += 20000000;
	if (b.tv_nsec >= 1000000000) {
		b.tv_sec++;
		b.tv_nsec -= 1000000000;
	}
	TK_CHECK("clock_nanosleep_realtime_abstime",
		 clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &b, NULL) == 0 &&
		 clock_gettime(CLOCK_REALTIME, &c) == 0 && ts_ns(&c) >= ts_ns(&b));
	static_cond_on_realtime();

	target = abs_in_ms(20);
	TK_CHECK("clock_nanosleep_abstime", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, NULL) == 0);
	TK_CHECK("clock_nanosleep_abstime_not_early", now_ns() >= ts_ns(&target));
	target = abs_in_ms(0);
	target.tv_sec -= target.tv_sec > 0;	/* in the past: returns at once */
	TK_CHECK("clock_nanosleep_abstime_past", clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &target, NULL) == 0);
	t0 = now_ns();
	TK_CHECK("clock_nanosleep_relative", clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL) == 0 &&
					     now_ns() - t0 >= 10 * MS);
	TK_CHECK("clock_nanosleep_bad_nsec_einval", clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL) == EINVAL);
	TK_CHECK("clock_nanosleep_negative_einval", clock_nanosleep(CLOCK_MONOTONIC, 0, &neg, NULL) == EINVAL);
	TK_CHECK("clock_nanosleep_bad_flags_einval", clock_nanosleep(CLOCK_MONOTONIC, 8, &req, NULL) == EINVAL);
	TK_CHECK("clock_nanosleep_bad_clock_einval", clock_nanosleep(999, 0, &req, NULL) == EINVAL);
	TK_CHECK("clock_nanosleep_null_efault", clock_nanosleep(CLOCK_MONOTONIC, 0, NULL, NULL) == EFAULT);
	t0 = now_ns();
	a.tv_sec = 77;
	TK_CHECK("nanosleep_10ms", nanosleep(&req, &a) == 0 && now_ns() - t0 >= 10 * MS);
	TK_CHECK("nanosleep_rem_untouched", a.tv_sec == 77);
	TK_CHECK("nanosleep_bad_nsec_einval", nanosleep(&bad, NULL) == -1 && errno == EINVAL);
	TK_CHECK("nanosleep_null_efault", nanosleep(NULL, NULL) == -1 && errno == EFAULT);
	t0 = now_ns();
	TK_CHECK("usleep_5ms", usleep(5000) == 0 && now_ns() - t0 >= 5 * MS);
	TK_CHECK("sleep_0", sleep(0) == 0);
	TK_CHECK("sysconf_cpus_online", sysconf(_SC_NPROCESSORS_ONLN) == (long)tk_cpu_count() &&
				       sysconf(_SC_NPROCESSORS_CONF) >= sysconf(_SC_NPROCESSORS_ONLN));
	TK_CHECK("sysconf_threads_option", sysconf(_SC_THREADS) > 0 &&
					   sysconf(_SC_MONOTONIC_CLOCK) > 0);
	TK_CHECK("sysconf_stack_min", sysconf(_SC_THREAD_STACK_MIN) == PTHREAD_STACK_MIN);
	TK_CHECK("sysconf_unknown_einval", sysconf(-1) == -1 && errno == EINVAL);
}

/* No paging: locking succeeds, bad flags and ranges fail as on Linux. */
static void memory_locking(void)
{
	static char buf[64];

	TK_CHECK("mlockall_current_future", mlockall(MCL_CURRENT | MCL_FUTURE) == 0);
	TK_CHECK("munlockall", munlockall() == 0);
	errno = 0;
	TK_CHECK("mlockall_no_flag_einval", mlockall(0) == -1 && errno == EINVAL);
	errno = 0;
	TK_CHECK("mlockall_unknown_flag_einval", mlockall(8) == -1 && errno == EINVAL);
	errno = 0;
	TK_CHECK("mlockall_onfault_alone_einval",
		 mlockall(MCL_ONFAULT) == -1 && errno == EINVAL);
	TK_CHECK("mlock_range", mlock(buf, sizeof(buf)) == 0 && munlock(buf, sizeof(buf)) == 0);
	errno = 0;
	TK_CHECK("mlock_wrapping_range_enomem",
		 mlock((void *)(uintptr_t)-16, 64) == -1 && errno == ENOMEM);
}

void test_sched(void)
{
	scheduling();
	clocks();
	memory_locking();
}
