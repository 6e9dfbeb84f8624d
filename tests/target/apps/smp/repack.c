/*
 * Re-placing deadline threads (kernel/sched/repack.c) with jobs in flight:
 * five periodic deadline threads placed worst fit as they come, then a sixth
 * that fits only once every thread is placed again (by decreasing share,
 * best fit, split C=D where needed). The moves happen while the five run
 * their jobs; every thread must still meet every deadline.
 */
#include <errno.h>
#include <stdbool.h>

#include <takt/takt.h>

#include "repack.h"

#define PERIOD_NS 10000000ull
#define JOBS 24

static const unsigned pct[REPACK_THREADS] = { 65, 70, 55, 15, 65, 70 };
static struct repack_result *res;
static struct tk_sem running;

/* CPU time, not wall time (see split.c). */
static void burn(uint64_t ns)
{
	uint64_t t0 = tk_thread_cpu_ns(0);

	while (tk_thread_cpu_ns(0) - t0 < ns)
		tk_cpu_relax();
}

static void *job_fn(void *arg)
{
	unsigned i = (unsigned)(uintptr_t)arg;
	uint64_t work = PERIOD_NS * pct[i] / 100 * 8 / 10;	/* 80 % of the budget */
	uint64_t next = tk_now_ns();
	struct tk_thread_stats st;
	int first_cpu = -1;

	for (unsigned j = 0; j < JOBS; j++) {
		uint64_t release = next;

		burn(work);
		__atomic_fetch_add(&res->jobs, 1, __ATOMIC_RELAXED);
		if (tk_now_ns() > release + PERIOD_NS)
			__atomic_fetch_add(&res->late, 1, __ATOMIC_RELAXED);
		if (j == 1)
			tk_sem_give(&running);	/* two jobs done: the sixth may come */
		if (j == 0 && tk_thread_stats(0, &st) == 0)
			first_cpu = st.cpu;
		next += PERIOD_NS;
		tk_sleep_until_ns(next);
	}
	if (tk_thread_stats(0, &st) == 0) {
		__atomic_fetch_add(&res->misses, st.misses, __ATOMIC_RELAXED);
		__atomic_fetch_add(&res->overruns, st.overruns, __ATOMIC_RELAXED);
		if (st.split_cpu[0] >= 0)
			__atomic_fetch_add(&res->split, 1, __ATOMIC_RELAXED);
		else if (i < REPACK_THREADS - 1 && (int)st.cpu != first_cpu)
			__atomic_fetch_add(&res->moved, 1, __ATOMIC_RELAXED);
	}
	return 0;
}

static tk_thread_t *spawn(unsigned i)
{
	struct tk_thread_attr a = {
		.name = "repack", .stack_size = 8192,
		.sched = { .policy = TK_SCHED_DEADLINE, .runtime = PERIOD_NS * pct[i] / 100,
			   .deadline = PERIOD_NS, .period = PERIOD_NS },
	};
	tk_thread_t *t = 0;

	return tk_thread_create(&t, &a, job_fn, (void *)(uintptr_t)i) == 0 ? t : 0;
}

void repack_run(struct repack_result *r)
{
	tk_thread_t *t[REPACK_THREADS] = { 0 };

	*r = (struct repack_result){ 0 };
	res = r;
	tk_sem_init(&running, 0, REPACK_THREADS);
	for (unsigned i = 0; i < REPACK_THREADS - 1; i++)
		r->created += (t[i] = spawn(i)) != 0;
	for (unsigned i = 0; i < r->created; i++)
		tk_sem_take(&running, TK_FOREVER);
	r->created += (t[REPACK_THREADS - 1] = spawn(REPACK_THREADS - 1)) != 0;
	for (unsigned i = 0; i < REPACK_THREADS; i++)
		if (t[i])
			tk_thread_join(t[i], 0);
}

/* ---- parameter changes that re-place a thread: split <-> whole ---- */

static volatile int park_go;

static void *park_fn(void *arg)
{
	(void)arg;
	while (!park_go)
		tk_sleep_ns(1000000);
	return 0;
}

static tk_thread_t *spawn_pct(const char *name, uint32_t mask, unsigned p)
{
	struct tk_thread_attr a = {
		.name = name, .stack_size = 8192, .cpu_mask = mask,
		.sched = { .policy = TK_SCHED_DEADLINE, .runtime = PERIOD_NS * p / 100,
			   .deadline = PERIOD_NS, .period = PERIOD_NS },
	};
	tk_thread_t *t = 0;

	return tk_thread_create(&t, &a, park_fn, 0) == 0 ? t : 0;
}

static bool is_split(tk_thread_t *t)
{
	struct tk_thread_stats st;

	return t && tk_thread_stats(t, &st) == 0 && st.split_cpu[0] >= 0 && st.split_cpu[1] >= 0;
}

static int set_pct(tk_thread_t *t, unsigned p)
{
	struct tk_sched s = { .policy = TK_SCHED_DEADLINE, .runtime = PERIOD_NS * p / 100,
			      .deadline = PERIOD_NS, .period = PERIOD_NS };

	return t ? tk_thread_setsched(t, &s) : -ESRCH;
}

static uint32_t misses_of(tk_thread_t *t)
{
	struct tk_thread_stats st;

	return t && tk_thread_stats(t, &st) == 0 ? st.misses : 1;
}

static bool split_within(tk_thread_t *t, uint32_t mask)
{
	struct tk_thread_stats st;

	return t && tk_thread_stats(t, &st) == 0 && st.split_cpu[0] >= 0 && st.split_cpu[1] >= 0 &&
	       (mask >> st.split_cpu[0] & 1) && (mask >> st.split_cpu[1] & 1);
}

/* The split x's mask changes: to one CPU (60 % beside 60 %: refused), then
 * to every CPU but its second piece's (re-split within it when there are
 * three or more CPUs, else refused). @return the first case passed */
static int mask_cases(unsigned ncpu, tk_thread_t *x, int *without)
{
	struct tk_thread_stats st;
	uint32_t all = tk_cpu_online_mask(), got = 0;

	if (!x || tk_thread_stats(x, &st) || st.split_cpu[0] < 0)
		return 0;
	int one = tk_thread_set_affinity(x, 1u << st.split_cpu[0]) == -EBUSY &&
		  tk_thread_get_affinity(x, &got) == 0 && got == all && split_within(x, all);
	uint32_t m = all & ~(1u << st.split_cpu[1]);
	int err = tk_thread_set_affinity(x, m);

	*without = ncpu >= 3 ? err == 0 && split_within(x, m) && tk_thread_get_affinity(x, &got) == 0 &&
				       got == m
			     : err == -EBUSY && split_within(x, all);
	tk_thread_set_affinity(x, all);
	return one;
}

void params_run(unsigned ncpu, struct params_result *r)
{
	tk_thread_t *d[8] = { 0 }, *x;
	struct tk_sched got;

	*r = (struct params_result){ 0 };
	park_go = 0;
	for (unsigned c = 0; c < ncpu && c < 8; c++)
		d[c] = spawn_pct("dl60", 1u << c, 60);
	x = spawn_pct("changing", 0, 60);
	r->split_at_first = is_split(x);
	r->whole_after_shrink = set_pct(x, 30) == 0 && x && !is_split(x);
	r->split_after_grow = set_pct(x, 60) == 0 && is_split(x);
	r->refused_unchanged = set_pct(x, 99) == -EBUSY && tk_thread_getsched(x, &got) == 0 &&
			       got.runtime == PERIOD_NS * 60 / 100 && is_split(x);
	r->mask_one_cpu_refused = mask_cases(ncpu, x, &r->mask_without_its_cpu);
	r->misses = misses_of(x);
	for (unsigned c = 0; c < ncpu && c < 8; c++)
		r->misses += misses_of(d[c]);
	park_go = 1;
	if (x)
		tk_thread_join(x, 0);
	for (unsigned c = 0; c < ncpu && c < 8; c++)
		if (d[c])
			tk_thread_join(d[c], 0);
}
