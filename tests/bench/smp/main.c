/*
 * Multicore figures for ./takt bench smp, under QEMU -icount shift=0 with
 * several vCPUs. QEMU then runs the vCPUs one at a time in turns, so a
 * cross-CPU figure also holds the wait for the target vCPU's turn: compare
 * with Linux in the same QEMU, not with an absolute. Prints "bench: <name>
 * <value>" lines; never pass/fail.
 *   xwake_idle_ns      sem give on CPU 0 -> the waiter on CPU 1 runs, CPU 1 idle
 *   xwake_busy_ns      the same with a lower-priority thread running on CPU 1
 *   local_wake_ns      the same with the waiter on CPU 0 (no IPI)
 *   pingpong_x_ns      round trip CPU 0 -> CPU 1 -> CPU 0 through two semaphores
 *   pingpong_local_ns  the same on one CPU
 *   ipis_per_xwake     IPIs sent per cross-CPU wake-up
 *   lock_max_ns_cpuN   longest hold of CPU N's scheduler lock (wake list)
 *   admit_repack_ns    creating a deadline thread that fits nowhere online: the
 *                      repack's search re-places six (4 CPUs or more), and status
 *   admit_refused_ns   creating one beyond the CPUs' total share (-EBUSY at once)
 *   admit_refused_search_ns  one that fits by share but nowhere by the exact
 *                      test: the search runs to its bound, then -EBUSY
 *   irqoff_max_with_admissions_ns_cpu0  CPU 0's longest masked stretch, them
 *                      included: their exact tests and search run unmasked
 */
#include <stdio.h>
#include <stdlib.h>

#include <takt/takt.h>

#define N 500

static struct tk_sem go, back;
static volatile uint64_t t_give, t_woke;
static volatile int stop;

static tk_thread_t *spawn_on(unsigned cpu, int prio, tk_thread_fn fn, void *arg)
{
	struct tk_thread_attr a = { .name = "bench", .stack_size = 8192, .cpu_mask = 1u << cpu,
				    .sched = { .policy = TK_SCHED_FIFO, .prio = prio } };
	tk_thread_t *t = 0;

	if (tk_thread_create(&t, &a, fn, arg)) {
		printf("bench: cannot create a thread\n");
		exit(1);
	}
	return t;
}

static void *waiter(void *arg)
{
	(void)arg;
	for (int i = 0; i < N; i++) {
		tk_sem_take(&go, TK_FOREVER);
		t_woke = tk_now_ns();
		tk_sem_give(&back);
	}
	return 0;
}

static void *hog(void *arg)
{
	(void)arg;
	while (!stop)
		tk_cpu_relax();
	return 0;
}

struct figure {
	uint64_t min, max, sum;
};

/* main (FIFO 50 on CPU 0) gives, the waiter on cpu records when it ran. */
static struct figure wake_latency(unsigned cpu, bool busy)
{
	struct figure f = { UINT64_MAX, 0, 0 };
	tk_thread_t *h = 0, *w;

	stop = 0;
	if (busy)
		h = spawn_on(cpu, 5, hog, 0);
	w = spawn_on(cpu, 90, waiter, 0);
	for (int i = 0; i < N; i++) {
		t_give = tk_now_ns();
		tk_sem_give(&go);
		tk_sem_take(&back, TK_FOREVER);
		uint64_t d = t_woke - t_give;

		f.min = d < f.min ? d : f.min;
		f.max = d > f.max ? d : f.max;
		f.sum += d;
	}
	tk_thread_join(w, 0);
	stop = 1;
	if (h)
		tk_thread_join(h, 0);
	return f;
}

static void print_figure(const char *name, struct figure f)
{
	printf("bench: %s %lu %lu %lu\n", name, (unsigned long)f.min,
	       (unsigned long)(f.sum / N), (unsigned long)f.max);
}

static void *ponger(void *arg)
{
	(void)arg;
	for (int i = 0; i < N; i++) {
		tk_sem_take(&go, TK_FOREVER);
		tk_sem_give(&back);
	}
	return 0;
}

static uint64_t pingpong(unsigned cpu)
{
	tk_thread_t *p = spawn_on(cpu, 90, ponger, 0);
	uint64_t t0 = tk_now_ns();

	for (int i = 0; i < N; i++) {
		tk_sem_give(&go);
		tk_sem_take(&back, TK_FOREVER);
	}
	uint64_t dt = tk_now_ns() - t0;

	tk_thread_join(p, 0);
	return dt / N;
}

static void *park(void *arg)
{
	(void)arg;
	while (!stop)
		tk_sleep_ns(1000000);
	return 0;
}

/* Time a deadline thread's creation: C % of T ms, any CPU. */
static uint64_t admit(tk_thread_t **t, unsigned pct, unsigned ms, int *err)
{
	struct tk_thread_attr a = { .name = "dl", .stack_size = 8192,
				    .sched = { .policy = TK_SCHED_DEADLINE,
					       .runtime = ms * 10000ull * pct,
					       .deadline = ms * 1000000ull,
					       .period = ms * 1000000ull } };
	uint64_t t0 = tk_now_ns();

	*err = tk_thread_create(t, &a, park, 0);
	return tk_now_ns() - t0;
}

/* Admit sets[k] one by one; the last one's admission time and status. */
static void admit_set(const char *name, const unsigned (*set)[2], unsigned n)
{
	tk_thread_t *t[8] = { 0 };
	uint64_t dt = 0;
	int err = 0;

	stop = 0;
	for (unsigned i = 0; i < n && (!err || i == n - 1); i++)
		dt = admit(&t[i], set[i][0], set[i][1], &err);
	printf("bench: %s %lu %d\n", name, (unsigned long)dt, err);
	stop = 1;
	for (unsigned i = 0; i < n; i++)
		if (t[i])
			tk_thread_join(t[i], 0);
}

/* {share %, period ms}; the last of each set fits nowhere online. */
static const unsigned repacked[][2] = {	/* test_place_repack.c's test_search_backtracks */
	{ 55, 10 }, { 55, 40 }, { 55, 40 }, { 60, 5 }, { 50, 40 }, { 80, 5 }
};
static const unsigned over[][2] = { { 80, 10 }, { 80, 10 }, { 80, 10 }, { 80, 10 }, { 70, 10 } };
static const unsigned searched[][2] = { { 70, 1 }, { 70, 4 }, { 70, 10 }, { 70, 40 }, { 70, 100 } };

static void admissions(void)
{
	admit_set("admit_repack_ns", repacked, 6);
	admit_set("admit_refused_ns", over, 5);	/* 390 % > 4 x 95 %: refused at once */
	admit_set("admit_refused_search_ns", searched, 5);	/* fits by share: searched */
}

int main(void)
{
	struct tk_cpu_stats a, b;

	tk_sem_init(&go, 0, 1);
	tk_sem_init(&back, 0, 1);
	tk_thread_setsched(0, &(struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = 50 });
	printf("bench: cpus %u\n", tk_cpu_count());
	tk_console_drain(TK_FOREVER);	/* the boot's lines and that one out first */
	if (tk_cpu_count() < 2) {
		printf("bench: one CPU: nothing to measure\n");
		return 0;
	}
	tk_cpu_stats(0, &a);
	print_figure("xwake_idle_ns", wake_latency(1, false));
	tk_cpu_stats(0, &b);
	printf("bench: ipis_per_xwake %lu.%02lu\n", (unsigned long)((b.ipi_sent - a.ipi_sent) / N),
	       (unsigned long)((b.ipi_sent - a.ipi_sent) * 100 / N % 100));
	print_figure("xwake_busy_ns", wake_latency(1, true));
	print_figure("local_wake_ns", wake_latency(0, false));
	printf("bench: pingpong_x_ns %lu\n", (unsigned long)pingpong(1));
	printf("bench: pingpong_local_ns %lu\n", (unsigned long)pingpong(0));
	for (unsigned c = 0; c < tk_cpu_count(); c++) {
		tk_cpu_stats(c, &a);
		printf("bench: lock_max_ns_cpu%u %lu\n", c, (unsigned long)a.sched_lock_max_ns);
		/* 0 unless booted with irqoff.stats=on */
		printf("bench: irqoff_max_ns_cpu%u %lu\n", c, (unsigned long)a.irqoff_max_ns);
	}
	if (tk_cpu_count() < 4)
		return 0;
	admissions();	/* after the figures above: its threads would count */
	tk_cpu_stats(0, &a);	/* with irqoff.stats=on: did an admission mask long? */
	printf("bench: irqoff_max_with_admissions_ns_cpu0 %lu\n", (unsigned long)a.irqoff_max_ns);
	return 0;
}
