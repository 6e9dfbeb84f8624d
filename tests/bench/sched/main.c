/*
 * Scheduler benchmarks for ./takt bench sched, run under QEMU -icount
 * shift=0 (one instruction = one virtual ns, so figures repeat exactly).
 * Prints "bench: <name> <value>" lines; never pass/fail.
 *   ctx_switch_ns      two FIFO threads yielding to each other, per switch
 *   timer_wake_ns      timer interrupt to the woken thread running (min/avg/max)
 *   wake_pick_ns_N     sem give -> earlier-deadline thread runs -> takes the
 *                      sem again -> back: with N other deadline threads ready
 *   thread_create_ns   tk_thread_create + the thread's run + tk_thread_join of a
 *                      thread that returns at once (16 KiB stack: its pages,
 *                      guard page and control block), per thread
 */
#include <stdio.h>
#include <stdlib.h>

#include <takt/takt.h>

#define MS 1000000ull
#define YIELDS 2000

static struct tk_sched fifo(int prio)
{
	return (struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = prio };
}

static struct tk_sched dl(uint64_t r, uint64_t d, uint64_t p)
{
	return (struct tk_sched){ .policy = TK_SCHED_DEADLINE, .runtime = r, .deadline = d, .period = p };
}

static tk_thread_t *spawn(struct tk_sched s, size_t stack, tk_thread_fn fn, void *arg)
{
	struct tk_thread_attr a = { .name = "bench", .stack_size = stack, .sched = s };
	tk_thread_t *t = 0;

	if (tk_thread_create(&t, &a, fn, arg)) {
		printf("bench: cannot create a thread\n");
		exit(1);
	}
	return t;
}

static void *yielder(void *arg)
{
	(void)arg;
	for (int i = 0; i < YIELDS; i++)
		tk_yield();
	return 0;
}

static void bench_ctx_switch(void)
{
	tk_thread_setsched(0, &(struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = 60 });
	tk_thread_t *a = spawn(fifo(50), 8192, yielder, 0);
	tk_thread_t *b = spawn(fifo(50), 8192, yielder, 0);
	uint64_t t0 = tk_now_ns();

	tk_thread_setsched(0, &(struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = 1 });
	tk_thread_join(a, 0);	/* main runs again only when both are done */
	uint64_t dt = tk_now_ns() - t0;

	tk_thread_join(b, 0);
	printf("bench: ctx_switch_ns %lu\n", (unsigned long)(dt / (2 * YIELDS)));
}

static void *returns(void *arg)
{
	return arg;
}

static void bench_thread_create(void)
{
	enum { N = 200 };
	uint64_t t0 = tk_now_ns();

	for (int i = 0; i < N; i++)
		tk_thread_join(spawn(fifo(50), TK_STACK_DEFAULT, returns, 0), 0);
	printf("bench: thread_create_ns %lu\n", (unsigned long)((tk_now_ns() - t0) / N));
}

static uint64_t lat_min, lat_max, lat_sum;

static void *timer_waiter(void *arg)
{
	(void)arg;
	lat_min = ~0ull;
	lat_max = lat_sum = 0;
	for (int i = 0; i < 200; i++) {
		uint64_t t = tk_now_ns() + 100000 + (uint64_t)(i * 7919 % 50000);

		tk_sleep_until_ns(t);
		uint64_t lat = tk_now_ns() - t;

		lat_min = lat < lat_min ? lat : lat_min;
		lat_max = lat > lat_max ? lat : lat_max;
		lat_sum += lat;
	}
	return 0;
}

/* Without the wake-up lead, a sleeper's lateness is the path from the
 * timer's interrupt to it running (timer_wake_ns); with it (the default),
 * what is left of that (timer_late_ns). */
static void bench_timer_wake(const char *name, int32_t lead)
{
	tk_sleep_lead_set(lead);
	tk_thread_join(spawn(fifo(90), 8192, timer_waiter, 0), 0);
	printf("bench: %s min %lu avg %lu max %lu\n", name, (unsigned long)lat_min,
	       (unsigned long)(lat_sum / 200), (unsigned long)lat_max);
	tk_sleep_lead_set(TK_SLEEP_LEAD_AUTO);
}

static struct tk_sem ping, park;

static void *ponger(void *arg)
{
	(void)arg;
	for (;;)
		tk_sem_take(&ping, TK_FOREVER);
	return 0;
}

static void *parked(void *arg)
{
	(void)arg;
	tk_sem_take(&park, TK_FOREVER);
	return 0;
}

/* Main holds the earliest deadline while it creates n ready deadline
 * threads (they never run); the ponger's wake-up deadline is earlier
 * still, so each give switches to it and back. */
static void bench_wake_pick(int n, int total)
{
	enum { ROUNDS = 200 };

	tk_thread_setsched(0, &(struct tk_sched){ .policy = TK_SCHED_DEADLINE, .runtime = 400 * MS,
						  .deadline = 1000 * MS, .period = 1000 * MS });
	for (int i = 0; i < n; i++)
		spawn(dl(1024, 100000 * MS, 100000 * MS), 2048 + 1024, parked, 0);
	static bool pong_started;

	if (!pong_started) {
		/* implicit deadline: a constrained one woken past its deadline
		 * would wait for its next period (sched-deadline.rst) */
		spawn(dl(200000, 400000, 400000), 8192, ponger, 0);
		pong_started = true;
	}
	tk_yield();	/* new period for main: a full budget for the rounds */
	uint64_t t0 = tk_now_ns();

	for (int i = 0; i < ROUNDS; i++)
		tk_sem_give(&ping);
	uint64_t dt = tk_now_ns() - t0;

	printf("bench: wake_pick_ns_%d %lu\n", total, (unsigned long)(dt / ROUNDS));
}

int main(void)
{
	tk_console_drain(TK_FOREVER);	/* the boot's lines out first: no UART work in a figure */
	tk_sem_init(&ping, 0, 1);
	tk_sem_init(&park, 0, 1);
	bench_ctx_switch();
	bench_thread_create();
	bench_timer_wake("timer_wake_ns", 0);
	bench_timer_wake("timer_late_ns", TK_SLEEP_LEAD_AUTO);
	int total = 0;

	for (int n = 10; n <= 10000; n *= 10) {
		bench_wake_pick(n - total, n);	/* the parked threads accumulate */
		total = n;
	}
	return 0;
}
