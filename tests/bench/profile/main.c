/*
 * Workload for ./takt bench profile (tools/takt_profile.py): the scheduler's
 * hot paths between marks, few enough times that QEMU's exec log of the
 * whole run stays small. The prof_* calls are marks the profiler finds by
 * their addresses: it counts the instructions of each function executed
 * between a window's begin and end, per round.
 *   switch  context switch: two FIFO threads yielding to each other
 *           (one window around the whole exchange; a round = a switch)
 *   timer   timer wake: sleep 100 us, the timer interrupt, back running
 *           (a round: the whole sleep, idle excluded: WFI runs nothing)
 *   busy    the same with a lower thread spinning meanwhile, so the
 *           interrupt preempts a running thread instead of idle (what a
 *           loaded system's latency is); the profiler's inner window
 *           "preempt" is the part from the interrupt vector on
 * The wake-up lead (kernel/sleep.c) is off: the windows are the path from
 * the interrupt to the sleeper, not the lead's spin after it.
 */
#include <stdio.h>

#include <takt/takt.h>

#define ROUNDS 100

#define MARK(name)                                                            \
	__attribute__((noinline, noipa)) void prof_##name(void)                     \
	{                                                                     \
		__asm__ volatile("" : : : "memory");                          \
	}
MARK(switch_begin)
MARK(switch_end)
MARK(timer_begin)
MARK(timer_end)
MARK(busy_begin)
MARK(busy_end)

static volatile int spinning;

static void *yielder(void *arg)
{
	int first = arg != 0;

	if (first)
		prof_switch_begin();
	for (int i = 0; i < ROUNDS; i++)
		tk_yield();
	if (first)
		prof_switch_end();
	return 0;
}

/* A window's marks: the sleeper's rounds go between them. */
struct marks {
	void (*begin)(void), (*end)(void);
};

static void *sleeper(void *arg)
{
	const struct marks *m = arg;

	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t = tk_now_ns() + 100000;

		m->begin();
		tk_sleep_until_ns(t);
		m->end();
	}
	spinning = 0;	/* the busy window's spinner may stop */
	return 0;
}

static void *spinner(void *arg)
{
	(void)arg;
	while (spinning)
		;
	return 0;
}

static tk_thread_t *spawn(int prio, tk_thread_fn fn, void *arg)
{
	struct tk_thread_attr a = { .name = "prof", .stack_size = 8192,
				    .sched = { .policy = TK_SCHED_FIFO, .prio = prio } };
	tk_thread_t *t = 0;

	if (tk_thread_create(&t, &a, fn, arg)) {
		printf("profile: cannot create a thread\n");
		return 0;
	}
	return t;
}

int main(void)
{
	tk_console_drain(TK_FOREVER);	/* the boot's lines out first: no UART work in a window */
	tk_sleep_lead_set(0);
	tk_thread_setsched(0, &(struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = 60 });
	tk_thread_t *a = spawn(50, yielder, (void *)1), *b = spawn(50, yielder, 0);

	tk_thread_setsched(0, &(struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = 1 });
	tk_thread_join(a, 0);
	tk_thread_join(b, 0);
	tk_thread_join(spawn(90, sleeper, &(struct marks){ prof_timer_begin, prof_timer_end }), 0);
	/* the sleeper first (it sleeps at once), then the spinner: this
	 * thread (priority 1) runs again when the spinner stops */
	spinning = 1;
	tk_thread_t *bs = spawn(90, sleeper, &(struct marks){ prof_busy_begin, prof_busy_end }),
		    *s = spawn(2, spinner, 0);

	tk_thread_join(bs, 0);
	tk_thread_join(s, 0);
	/* the profiler divides each window's instructions by these */
	printf("profile: switch_rounds %d\n", 2 * ROUNDS);
	printf("profile: timer_rounds %d\n", ROUNDS);
	printf("profile: busy_rounds %d\n", ROUNDS);
	return 0;
}
