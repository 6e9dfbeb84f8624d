/*
 * FP/SIMD state survives preemption: round-robin threads at one priority,
 * switched by the timer interrupt every 100 us, compute with doubles and
 * format them with printf's %f; each checks its own results against a
 * value computed before any switching. A thread defined at build time
 * (TK_THREAD_DEFINE) runs too.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <takt/takt.h>

#include "tk_test.h"

#define N 4

static double series(double x, int n)
{
	double s = 0;

	for (int i = 1; i <= n; i++)
		s += x / ((double)i * i);
	return s;
}

static volatile int static_ran;

static void *static_fn(void *arg)
{
	static_ran = (int)(intptr_t)arg;
	return 0;
}

TK_THREAD_DEFINE(early, 4096, static_fn, (void *)7, 30);

static char want[N][64];
static volatile unsigned rr_switches;

static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg;
	int bad = 0;

	for (int round = 0; round < 40; round++) {
		char got[64];

		snprintf(got, sizeof(got), "%.9f", series(id + 1.5, 2000));
		bad += strcmp(got, want[id]) != 0;
	}
	struct tk_thread_stats st;

	tk_thread_stats(0, &st);
	rr_switches += (unsigned)st.switches;
	return (void *)(intptr_t)bad;
}

int main(void)
{
	tk_thread_t *t[N];
	/* One CPU: round robin among them is the point (on a multicore board
	 * they would otherwise each get a CPU of their own). */
	struct tk_thread_attr a = { .name = "fp", .stack_size = 8192, .cpu_mask = 1,
				    .sched = { .policy = TK_SCHED_RR, .prio = 10, .rr_slice_ns = 100000 } };
	int bad = 0;
	struct tk_thread_stats st;

	for (int i = 0; i < N; i++)
		snprintf(want[i], sizeof(want[i]), "%.9f", series(i + 1.5, 2000));
	/* create them all before any runs: main above them, then below */
	tk_thread_setsched(0, &(struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = 20 });
	for (int i = 0; i < N; i++)
		tk_thread_create(&t[i], &a, worker, (void *)(intptr_t)i);
	tk_thread_setsched(0, &(struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = 1 });
	for (int i = 0; i < N; i++) {
		void *r;

		tk_thread_join(t[i], &r);
		bad += (int)(intptr_t)r;
	}
	tk_thread_stats(0, &st);
	TK_CHECK("fp_results_survive_preemption", bad == 0);
	printf("rr: %u switches, %lu timer irqs\n", rr_switches, (unsigned long)tk_timer_irqs());
	TK_CHECK("round_robin_switched_threads", rr_switches > 2 * N);
	TK_CHECK("static_thread_ran_with_arg", static_ran == 7 && tk_thread_static(early) != 0);
	return tk_test_done();
}
