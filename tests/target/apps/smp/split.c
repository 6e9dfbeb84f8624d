/*
 * A C=D split deadline thread at work (issue 19): with a 60 % thread on
 * every CPU, a further 60 % thread fits on none (95 % bound) and is split
 * over two. Its jobs burn 5 ms of CPU each: 3.5 ms (piece 0) where they are
 * released, the rest on the second CPU, which must still end them by their
 * deadline. Jobs are periodic: released by absolute sleeps, one per period.
 */
#include <takt/takt.h>

#include "split.h"

#define PERIOD_NS 10000000ull
#define RUNTIME_NS 6000000ull
#define WORK_NS 5000000ull
#define JOBS 20

static struct split_result *res;

/* CPU time, not wall time: the job's demand is the same however it is
 * preempted. tk_cpu_relax lets QEMU's round-robin vCPUs take turns. */
static void burn(uint64_t ns)
{
	uint64_t t0 = tk_thread_cpu_ns(0);

	while (tk_thread_cpu_ns(0) - t0 < ns)
		tk_cpu_relax();
}

/* The thread's own figures, read before it exits (its handle goes at join). */
static void *job_fn(void *arg)
{
	uint64_t next = tk_now_ns();
	int split = arg != 0;
	struct tk_thread_stats st;

	if (split && tk_thread_stats(0, &st) == 0) {
		res->cpu[0] = st.split_cpu[0];
		res->cpu[1] = st.split_cpu[1];
	}

	for (unsigned j = 0; j < JOBS; j++) {
		uint64_t release = next;
		unsigned first = tk_cpu_id();

		burn(WORK_NS);
		if (split) {
			res->jobs++;
			res->late += tk_now_ns() > release + PERIOD_NS;
			res->started_off += (int)first != res->cpu[0];
			res->ended_off += (int)tk_cpu_id() != res->cpu[1];
		}
		next += PERIOD_NS;
		tk_sleep_until_ns(next);
	}
	if (tk_thread_stats(0, &st))
		return 0;
	if (split) {
		res->migrations = st.migrations;
		res->misses = st.misses;
		res->overruns = st.overruns;
	} else {
		__atomic_fetch_add(&res->others_misses, st.misses, __ATOMIC_RELAXED);
	}
	return 0;
}

static tk_thread_t *spawn(const char *name, uint32_t mask, void *arg)
{
	struct tk_thread_attr a = {
		.name = name, .stack_size = 8192, .cpu_mask = mask,
		.sched = { .policy = TK_SCHED_DEADLINE, .runtime = RUNTIME_NS,
			   .deadline = PERIOD_NS, .period = PERIOD_NS },
	};
	tk_thread_t *t = 0;

	return tk_thread_create(&t, &a, job_fn, arg) == 0 ? t : 0;
}

void split_run(unsigned ncpu, struct split_result *r)
{
	tk_thread_t *d[8] = { 0 }, *s;
	unsigned ok = 1;

	*r = (struct split_result){ .cpu = { -1, -1 } };
	res = r;
	for (unsigned c = 0; c < ncpu && c < 8; c++)
		ok &= (d[c] = spawn("dl60", 1u << c, 0)) != 0;
	s = spawn("split", 0, (void *)1);
	r->created = ok && s;
	if (s)
		tk_thread_join(s, 0);
	for (unsigned c = 0; c < ncpu && c < 8; c++)
		if (d[c])
			tk_thread_join(d[c], 0);
}
