/*
 * The scheduler trace (issue 13), run with trace=on: a known sequence for
 * tests/target/trace_check.py to find in the converted trace. "ping" and
 * "pong" (FIFO 10 and 11, CPU 0) hand a semaphore back and forth ROUNDS
 * times, ping marking each round as a slice and an instant with the round's
 * number; "hog" (deadline, 1 ms every 10 ms) runs 3 ms of work and so is
 * throttled and replenished. main joins them and exits: the power-off
 * dumps the rings. The stats line gives the kernel's record count.
 */
#include <stdio.h>
#include <string.h>

#include <takt/takt.h>
#include <takt/trace.h>

#include "tk_test.h"

#define ROUNDS 5
#define MS 1000000ull

static struct tk_sem to_pong, to_ping;

static void *ping(void *arg)
{
	(void)arg;
	for (unsigned i = 0; i < ROUNDS; i++) {
		tk_trace_begin("round");
		tk_trace_mark("round-no", i);
		tk_sem_give(&to_pong);
		tk_sem_take(&to_ping, TK_FOREVER);
		tk_trace_end("round");
	}
	return 0;
}

static void *pong(void *arg)
{
	(void)arg;
	for (unsigned i = 0; i < ROUNDS; i++) {
		tk_sem_take(&to_pong, TK_FOREVER);
		tk_sem_give(&to_ping);
	}
	return 0;
}

static void *hog(void *arg)
{
	uint64_t end = tk_now_ns() + 3 * MS;

	(void)arg;
	while (tk_now_ns() < end)
		;
	return 0;
}

static tk_thread_t *spawn(const char *name, struct tk_sched s, tk_thread_fn fn)
{
	struct tk_thread_attr a = { .name = name, .stack_size = 8192, .sched = s, .cpu_mask = 1 };
	tk_thread_t *t = 0;

	TK_CHECK(name, tk_thread_create(&t, &a, fn, 0) == 0);
	return t;
}

int main(void)
{
	struct tk_trace_stats st;
	tk_thread_t *a, *b, *h;

	tk_trace_stats(&st);
	TK_CHECK("trace_on_from_bootargs", st.on);
	TK_CHECK("sems", tk_sem_init(&to_pong, 0, 1) == 0 && tk_sem_init(&to_ping, 0, 1) == 0);
	tk_trace_mark(0, 1);	/* ignored: no label */
	b = spawn("pong", (struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = 11 }, pong);
	a = spawn("ping", (struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = 10 }, ping);
	TK_CHECK("ping_pong_joined", tk_thread_join(a, 0) == 0 && tk_thread_join(b, 0) == 0);
	h = spawn("hog", (struct tk_sched){ .policy = TK_SCHED_DEADLINE, .runtime = 1 * MS,
					    .deadline = 10 * MS, .period = 10 * MS }, hog);
	TK_CHECK("hog_joined", tk_thread_join(h, 0) == 0);
	tk_trace_stats(&st);
	printf("trace: %llu records, %llu lost, %u per CPU\n", (unsigned long long)st.recorded,
	       (unsigned long long)st.lost, st.size);
	return tk_test_done();
}
