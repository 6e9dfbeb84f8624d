/* Threads for the gdb thread-awareness test (tests/target/gdb/threads.gdb):
 * one blocked on a semaphore, one sleeping, one deadline thread sleeping,
 * one busy at a low priority (and, with several CPUs, one spinning on CPU 1);
 * main then reaches gdb_checkpoint(), where the
 * gdb script stops and lists and unwinds them. */
#include <stdio.h>
#include <takt/takt.h>

static struct tk_sem never;
static volatile unsigned long spins, spins_cpu1;
static volatile int periodic_sleeps;

__attribute__((noinline)) static void wait_forever(void)
{
	tk_sem_take(&never, TK_FOREVER);
}

static void *waiter(void *arg)
{
	(void)arg;
	wait_forever();
	return 0;
}

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		tk_sleep_ns(1000000000ull);
	return 0;
}

/* The deadline thread: says it reached its sleep. Its 1 ms budget is host
 * time here (no -icount): a QEMU descheduled for longer found it throttled
 * before its sleep, and gdb listed it ready. */
static void *periodic(void *arg)
{
	(void)arg;
	for (;;) {
		periodic_sleeps = 1;
		tk_sleep_ns(1000000000ull);
	}
	return 0;
}

static void *busy(void *arg)
{
	(void)arg;
	for (;;)
		spins++;
	return 0;
}

/* With several CPUs: running on CPU 1 while gdb looks (its own counter,
 * so that the compiler does not fold it into busy). */
static void *spinner(void *arg)
{
	(void)arg;
	for (;;)
		spins_cpu1 += 2;
	return 0;
}

/* The gdb script's breakpoint: every thread exists and has run. */
__attribute__((noinline)) void gdb_checkpoint(void)
{
	__asm__ volatile("" ::: "memory");
}

static void spawn_on(const char *name, struct tk_sched s, tk_thread_fn fn, uint32_t cpus)
{
	struct tk_thread_attr a = { .name = name, .stack_size = 8192, .sched = s,
				    .cpu_mask = cpus };
	tk_thread_t *t = 0;
	int err = tk_thread_create(&t, &a, fn, 0);

	if (err)
		printf("spawn %s: %d\n", name, err);
}

static void spawn(const char *name, struct tk_sched s, tk_thread_fn fn)
{
	spawn_on(name, s, fn, 1);
}

int main(void)
{
	/* above busy (main starts at FIFO 1, as busy) so that it comes back */
	tk_thread_setsched(tk_thread_self(),
			   &(struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = 50 });
	tk_sem_init(&never, 0, 1);
	spawn("waiter", (struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = 20 }, waiter);
	spawn("sleeper", (struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = 20 }, sleeper);
	spawn("periodic", (struct tk_sched){ .policy = TK_SCHED_DEADLINE,
		.runtime = 1000000, .deadline = 10000000, .period = 10000000 }, periodic);
	spawn("busy", (struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = 1 }, busy);
	if (tk_cpu_count() > 1)
		spawn_on("spinner", (struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = 5 }, spinner, 2);
	/* Below waiter and sleeper (the deadline thread is above every FIFO
	 * one), above busy: whenever main runs from here on, those three have
	 * reached where they wait, however slow the host is. The sleep lets
	 * busy run, and the timer interrupt that ends it preempts busy, which
	 * gdb must then unwind through that interrupt's frame. */
	tk_thread_setsched(tk_thread_self(),
			   &(struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = 10 });
	tk_sleep_ns(20000000);
	while (!periodic_sleeps)	/* throttled on the way: its next period */
		tk_sleep_ns(1000000);
	gdb_checkpoint();
	printf("gdb_threads: checkpoint passed\n");
	return 0;
}
