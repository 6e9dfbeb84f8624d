/*
 * The scheduler trace (issue 13), run with trace=on: a known sequence for
 * tests/target/trace_check.py to find in the converted trace. "ping" and
 * "pong" (FIFO 10 and 11, CPU 0) hand a semaphore back and forth ROUNDS
 * times, ping marking each round as a slice and an instant with the round's
 * number; "hog" (deadline, 1 ms every 10 ms) runs 3 ms of work and so is
 * throttled and replenished. main renames itself "traced-main" (a
 * TR_NAME record). main joins them and exits: the power-off
 * dumps the rings. The stats line gives the kernel's record count.
 */
#include <errno.h>
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

/* What a mark costs, on and off: under -icount a ns is an instruction, so
 * this is instructions per event (a figure, printed, not checked). */
static void cost(void)
{
	uint64_t t0, t1, t2;

	t0 = tk_now_ns();
	for (unsigned i = 0; i < 1000; i++)
		tk_trace_mark("cost", i);
	t1 = tk_now_ns();
	tk_trace_stop();
	for (unsigned i = 0; i < 1000; i++)
		tk_trace_mark("cost", i);
	t2 = tk_now_ns();
	tk_trace_start();
	printf("trace app: a mark costs %lu ns traced, %lu ns not traced (per 1000: %lu, %lu)\n",
	       (unsigned long)((t1 - t0) / 1000), (unsigned long)((t2 - t1) / 1000),
	       (unsigned long)(t1 - t0), (unsigned long)(t2 - t1));
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
	TK_CHECK("read_without_put_einval", tk_trace_read(0, 0) == -EINVAL);
	b = spawn("pong", (struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = 11 }, pong);
	a = spawn("ping", (struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = 10 }, ping);
	TK_CHECK("ping_pong_joined", tk_thread_join(a, 0) == 0 && tk_thread_join(b, 0) == 0);
	h = spawn("hog", (struct tk_sched){ .policy = TK_SCHED_DEADLINE, .runtime = 1 * MS,
					    .deadline = 10 * MS, .period = 10 * MS }, hog);
	TK_CHECK("hog_joined", tk_thread_join(h, 0) == 0);
	cost();
	/* A rename is recorded; bad names are refused. */
	TK_CHECK("rename", tk_thread_set_name(tk_thread_self(), "traced-main") == 0);
	TK_CHECK("rename_too_long", tk_thread_set_name(tk_thread_self(), "sixteen-chars-xx") == -ERANGE);
	TK_CHECK("rename_null", tk_thread_set_name(tk_thread_self(), 0) == -EINVAL &&
				tk_thread_set_name(0, "x") == -EINVAL);
	tk_trace_stats(&st);
	printf("trace app: %lu recorded, %lu lost, %u per CPU\n", (unsigned long)st.recorded,
	       (unsigned long)st.lost, st.size);
	return tk_test_done();
}
