/*
 * Multicore claims (issue 19), one check each, on however many CPUs the
 * board brought up (bootarg cpus=N says how many must be online). No sleeps
 * as synchronisation: threads hand results back through joins, semaphores
 * and flags; spin-waits call tk_cpu_relax so that QEMU's round-robin vCPUs
 * take turns.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <takt/board.h>
#include <takt/device.h>
#include <takt/entropy.h>
#include <takt/spinlock.h>
#include <takt/takt.h>

#include "tk_test.h"
#include "repack.h"
#include "split.h"
#include "split_help.h"

static unsigned ncpu;

static tk_thread_t *spawn_on(const char *name, uint32_t mask, struct tk_sched s,
			     tk_thread_fn fn, void *arg)
{
	struct tk_thread_attr a = { .name = name, .stack_size = 8192, .sched = s, .cpu_mask = mask };
	tk_thread_t *t = 0;
	int err = tk_thread_create(&t, &a, fn, arg);

	if (err)
		printf("spawn %s: %d\n", name, err);
	return t;
}

static struct tk_sched fifo(int prio)
{
	return (struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = prio };
}

static void wait_flag(volatile int *f)
{
	while (!__atomic_load_n(f, __ATOMIC_ACQUIRE))
		tk_cpu_relax();
}

static void join(tk_thread_t *t)
{
	if (t)
		tk_thread_join(t, 0);
}

/* ---- affinity: every job of a thread pinned to the last CPU runs there ---- */
static void *pinned_fn(void *arg)
{
	unsigned want = (unsigned)(uintptr_t)arg, bad = 0;

	for (int i = 0; i < 20; i++) {
		if (tk_cpu_id() != want)
			bad++;
		tk_yield();
	}
	return (void *)(uintptr_t)bad;
}

static void test_affinity(void)
{
	unsigned last = ncpu - 1;
	tk_thread_t *t = spawn_on("pinned", 1u << last, fifo(5), pinned_fn, (void *)(uintptr_t)last);
	struct tk_thread_stats st;
	void *bad = (void *)1;

	TK_CHECK("pinned_thread_lives_on_its_cpu", t && tk_thread_stats(t, &st) == 0 && st.cpu == last);
	if (t)
		tk_thread_join(t, &bad);
	TK_CHECK("pinned_thread_every_job_on_its_cpu", bad == 0);
}

/* ---- moving: the caller's own affinity, and back ---- */
static void test_migrate_self(void)
{
	struct tk_thread_stats a, b;
	uint32_t m = 0;

	tk_thread_stats(0, &a);
	int err = tk_thread_set_affinity(0, 1u << (ncpu - 1));

	TK_CHECK("set_own_affinity", err == 0);
	TK_CHECK("runs_on_new_cpu_at_once", tk_cpu_id() == ncpu - 1);
	tk_thread_get_affinity(0, &m);
	TK_CHECK("get_affinity_reads_back", m == 1u << (ncpu - 1));
	tk_thread_stats(0, &b);
	TK_CHECK("migration_counted", b.migrations == a.migrations + 1 && b.cpu == ncpu - 1);
	TK_CHECK("back_to_cpu0", tk_thread_set_affinity(0, 1u) == 0 && tk_cpu_id() == 0);
}

/* ---- bad masks and parameters: refused, nothing changed ---- */
static void test_bad_masks(void)
{
	uint32_t before = 0, after = 0;

	tk_thread_get_affinity(0, &before);
	TK_CHECK("empty_mask_einval", tk_thread_set_affinity(0, 0) == -EINVAL);
	TK_CHECK("offline_cpu_einval", tk_thread_set_affinity(0, 1u << 31) == -EINVAL);
	TK_CHECK("mask_with_offline_cpu_einval",
		 tk_thread_set_affinity(0, 1u | (1u << ncpu)) == -EINVAL);
	tk_thread_get_affinity(0, &after);
	TK_CHECK("bad_masks_change_nothing", before == after && tk_cpu_id() == 0);
	struct tk_thread_attr a = { .name = "x", .cpu_mask = 1u << 30 };
	tk_thread_t *t = 0;

	TK_CHECK("create_with_offline_mask_einval", tk_thread_create(&t, &a, pinned_fn, 0) == -EINVAL);
	TK_CHECK("stats_bad_cpu_einval", tk_cpu_stats(64, &(struct tk_cpu_stats){ 0 }) == -EINVAL);
}

/* ---- a cross-CPU wake-up preempts; one that does not preempt sends no IPI ---- */
static struct tk_sem sem;
static volatile int hog_stop, hog_running, waiter_ran, waiter_ready;

static void *hog_fn(void *arg)
{
	(void)arg;
	__atomic_store_n(&hog_running, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&hog_stop, __ATOMIC_ACQUIRE))
		;	/* no relax: a hog never gives the CPU up by itself */
	return 0;
}

static void *waiter_fn(void *arg)
{
	(void)arg;
	__atomic_store_n(&waiter_ready, 1, __ATOMIC_RELEASE);
	tk_sem_take(&sem, TK_FOREVER);
	__atomic_store_n(&waiter_ran, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&hog_stop, 1, __ATOMIC_RELEASE);	/* ends the hog (first case) */
	return 0;
}

/* Wait until CPU c runs its idle thread: everything there blocked. */
static void wait_idle(unsigned c)
{
	struct tk_cpu_stats st;

	do {
		tk_cpu_relax();
		tk_cpu_stats(c, &st);
	} while (st.running_id != 0);
}

static void wait_running(unsigned c, tk_thread_t *t)
{
	struct tk_cpu_stats st;
	struct tk_thread_stats ts;

	tk_thread_stats(t, &ts);
	do {
		tk_cpu_relax();
		tk_cpu_stats(c, &st);
	} while (st.running_id != ts.id);
}

static void wake_case(int hog_prio, bool expect_ipi, const char *n1, const char *n2)
{
	struct tk_cpu_stats a, b;
	tk_thread_t *w, *h;

	tk_sem_init(&sem, 0, 1);
	hog_stop = hog_running = waiter_ran = waiter_ready = 0;
	w = spawn_on("waiter", 2u, fifo(10), waiter_fn, 0);
	wait_flag(&waiter_ready);
	wait_idle(1);
	h = spawn_on("hog", 2u, fifo(hog_prio), hog_fn, 0);
	wait_running(1, h);
	tk_cpu_stats(0, &a);
	tk_sem_give(&sem);
	tk_cpu_stats(0, &b);
	if (expect_ipi) {
		wait_flag(&waiter_ran);	/* only a preemption lets it run: the hog spins */
		TK_CHECK(n1, waiter_ran && b.ipi_sent == a.ipi_sent + 1);
	} else {
		TK_CHECK(n1, b.ipi_sent == a.ipi_sent &&
			     b.remote_wakes_no_ipi == a.remote_wakes_no_ipi + 1 && !waiter_ran);
		__atomic_store_n(&hog_stop, 1, __ATOMIC_RELEASE);
	}
	join(h);
	join(w);
	TK_CHECK(n2, waiter_ran);
}

/* ---- shared state from every CPU at once ---- */
static tk_spinlock_t slock = TK_SPINLOCK_INIT;
static struct tk_mutex mtx;
static volatile uint64_t spin_count, mutex_count;
#define ROUNDS 2000

static void *stress_fn(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	unsigned bad = 0;

	for (int i = 0; i < ROUNDS; i++) {
		unsigned long f = tk_spin_lock_irqsave(&slock);

		spin_count++;
		tk_spin_unlock_irqrestore(&slock, f);
		tk_mutex_lock(&mtx, TK_FOREVER);
		mutex_count++;
		tk_mutex_unlock(&mtx);
		if (i % 100 == 0) {	/* malloc and printf from every CPU */
			size_t n = 64 + (size_t)(i % 7) * 100;
			unsigned char *p = malloc(n);

			if (!p) {
				bad++;
				continue;
			}
			memset(p, (int)id, n);
			for (size_t k = 0; k < n; k++)
				bad += p[k] != (unsigned char)id;
			free(p);
			printf("smp-line cpu %u thread %u round %d ok\n", tk_cpu_id(), id, i);
		}
	}
	return (void *)(uintptr_t)bad;
}

static void test_stress(void)
{
	tk_thread_t *t[16];
	unsigned n = ncpu * 2, bad = 0;

	tk_mutex_init(&mtx, 0);
	spin_count = mutex_count = 0;
	for (unsigned i = 0; i < n; i++)
		t[i] = spawn_on("stress", 1u << (i % ncpu), fifo(3), stress_fn, (void *)(uintptr_t)i);
	for (unsigned i = 0; i < n; i++) {
		void *r = (void *)1;

		if (t[i])
			tk_thread_join(t[i], &r);
		bad += (unsigned)(uintptr_t)r;
	}
	TK_CHECK("spinlock_stress_exact", spin_count == (uint64_t)n * ROUNDS);
	TK_CHECK("mutex_across_cpus_exact", mutex_count == (uint64_t)n * ROUNDS);
	TK_CHECK("malloc_printf_all_cpus", bad == 0);
}

/* ---- 1000 threads over every CPU ---- */
static volatile unsigned ran_count;
static struct tk_sem many_go;

/* Each waits until all are made: 1000 live threads, placed by load (one
 * that ran and exited at once would leave its CPU's count as it was, and
 * the spread would depend on timing). */
static void *tiny_fn(void *arg)
{
	(void)arg;
	tk_sem_take(&many_go, TK_FOREVER);
	__atomic_fetch_add(&ran_count, 1, __ATOMIC_RELAXED);
	return 0;
}

static void test_many(void)
{
	enum { N = 1000 };
	static tk_thread_t *t[N];
	unsigned made = 0, seen = 0;
	struct tk_thread_stats st;

	ran_count = 0;
	tk_sem_init(&many_go, 0, N);
	for (unsigned i = 0; i < N; i++) {
		struct tk_thread_attr a = { .name = "tiny", .stack_size = 4096, .sched = fifo(2) };

		if (tk_thread_create(&t[i], &a, tiny_fn, 0) == 0)
			made++;
		else
			t[i] = 0;
	}
	uint32_t used = 0;

	for (unsigned i = 0; i < N; i++)
		if (t[i] && tk_thread_stats(t[i], &st) == 0)
			used |= 1u << st.cpu;
	for (unsigned i = 0; i < made; i++)
		tk_sem_give(&many_go);
	for (unsigned i = 0; i < N; i++)
		if (t[i] && tk_thread_join(t[i], 0) == 0)
			seen++;
	TK_CHECK("thousand_threads_run", made == N && seen == N && ran_count == N);
	TK_CHECK("thousand_threads_spread_over_all_cpus", used == tk_cpu_online_mask());
}

/* ---- priority inheritance along a chain across three CPUs: H (CPU 0)
 * waits on A held by M (CPU 1), M waits on B held by L (CPU 2), and a
 * FIFO 30 hog on CPU 2 keeps L (FIFO 5) off it. Only L's boost to H's
 * priority, applied on L's CPU, lets the chain unwind; the hog spins until
 * H has A. ---- */
static struct tk_mutex mA, mB;
static volatile int l_has_b, m_has_a, h_done, chain_hog_stop;

static void *chain_l(void *arg)
{
	(void)arg;
	tk_mutex_lock(&mB, TK_FOREVER);
	__atomic_store_n(&l_has_b, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&m_has_a, __ATOMIC_ACQUIRE))
		tk_cpu_relax();	/* holds B until M is queued on it (M took A first) */
	for (volatile int i = 0; i < 20000; i++)
		;	/* M and H queue up meanwhile */
	tk_mutex_unlock(&mB);
	return 0;
}

static void *chain_m(void *arg)
{
	(void)arg;
	tk_mutex_lock(&mA, TK_FOREVER);
	__atomic_store_n(&m_has_a, 1, __ATOMIC_RELEASE);
	tk_mutex_lock(&mB, TK_FOREVER);
	tk_mutex_unlock(&mB);
	tk_mutex_unlock(&mA);
	return 0;
}

static void *chain_hog(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&chain_hog_stop, __ATOMIC_ACQUIRE))
		tk_cpu_relax();
	return 0;
}

static void test_pi_chain(void)
{
	tk_thread_t *l, *m, *h;
	uint64_t t0;

	if (ncpu < 3) {
		printf("smp: fewer than 3 CPUs: no inheritance chain across three\n");
		return;
	}
	tk_mutex_init(&mA, 0);
	tk_mutex_init(&mB, 0);
	l_has_b = m_has_a = h_done = chain_hog_stop = 0;
	l = spawn_on("chain-L", 1u << 2, fifo(5), chain_l, 0);
	wait_flag(&l_has_b);
	m = spawn_on("chain-M", 1u << 1, fifo(20), chain_m, 0);
	wait_flag(&m_has_a);
	h = spawn_on("chain-hog", 1u << 2, fifo(30), chain_hog, 0);	/* now L cannot run */
	tk_thread_setsched(0, &(struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = 50 });
	t0 = tk_now_ns();
	int err = tk_mutex_lock(&mA, t0 + 2000000000ull);	/* bounded: a failure must not hang */

	TK_CHECK("pi_chain_across_three_cpus_unwinds", err == 0 && !chain_hog_stop);
	if (!err)
		tk_mutex_unlock(&mA);
	tk_thread_setsched(0, &(struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = 1 });
	__atomic_store_n(&chain_hog_stop, 1, __ATOMIC_RELEASE);
	join(h);
	join(m);
	join(l);
}

/* ---- helping: the owner L of a mutex (FIFO 5, CPU 2) is preempted by a
 * FIFO 90 hog there, above anything it can be lent; main (FIFO 50, CPU 0)
 * locks the mutex. L moves to CPU 0, runs its critical section there, and
 * goes back: main gets the mutex while the hog still spins. ---- */
static struct tk_mutex mH;
static volatile int h_held, h_hog_stop, h_hog_on;

static void *helped_owner(void *arg)
{
	(void)arg;
	tk_mutex_lock(&mH, TK_FOREVER);
	__atomic_store_n(&h_held, 1, __ATOMIC_RELEASE);
	/* The hog preempts it in here, on CPU 2: it sees the hog's flag only
	 * once it runs again, which helping does on CPU 0. */
	while (!__atomic_load_n(&h_hog_on, __ATOMIC_ACQUIRE))
		tk_cpu_relax();
	tk_mutex_unlock(&mH);
	return (void *)(uintptr_t)tk_cpu_id();
}

static void *helper_hog(void *arg)
{
	(void)arg;
	__atomic_store_n(&h_hog_on, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&h_hog_stop, __ATOMIC_ACQUIRE))
		tk_cpu_relax();
	return 0;
}

static void test_helping(void)
{
	tk_thread_t *l, *h;
	struct tk_thread_stats st;
	int err;

	if (ncpu < 3) {
		printf("smp: fewer than 3 CPUs: helping not checked\n");
		return;
	}
	tk_mutex_init(&mH, 0);
	h_held = h_hog_stop = h_hog_on = 0;
	l = spawn_on("owner", 1u << 2, fifo(5), helped_owner, 0);	/* lives on CPU 2 */
	tk_thread_set_affinity(l, 1u << 2 | 1u);	/* may help on CPU 0; stays on 2 */
	wait_flag(&h_held);
	h = spawn_on("hog90", 1u << 2, fifo(90), helper_hog, 0);
	wait_flag(&h_hog_on);
	tk_thread_setsched(0, &(struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = 50 });
	err = tk_mutex_lock(&mH, tk_now_ns() + 2000000000ull);
	TK_CHECK("helping_owner_ran_on_waiters_cpu", err == 0 && !h_hog_stop);
	if (!err)
		tk_mutex_unlock(&mH);
	tk_thread_setsched(0, &(struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = 1 });
	__atomic_store_n(&h_hog_stop, 1, __ATOMIC_RELEASE);
	tk_thread_stats(l, &st);
	join(l);
	join(h);
	printf("smp: helping: owner migrations %lu\n", (unsigned long)st.migrations);
	TK_CHECK("helper_went_back_home", st.migrations >= 2);
}

/* ---- admission per CPU: a deadline thread goes where its bandwidth fits
 * (worst fit), -EBUSY with nothing changed only when it fits nowhere ---- */
static volatile int park_go;

static void *park_fn(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&park_go, __ATOMIC_ACQUIRE))
		tk_sleep_ns(1000000);
	return 0;
}

static void test_admission(void)
{
	struct tk_sched s80 = { .policy = TK_SCHED_DEADLINE, .runtime = 80000000,
				.deadline = 100000000, .period = 100000000 };
	tk_thread_t *t[8] = { 0 };
	unsigned n = 0, cpus_used = 0, ok = 1;
	struct tk_thread_stats st;

	park_go = 0;
	for (unsigned i = 0; i < ncpu; i++) {	/* one 80 % thread per CPU fits */
		t[n] = spawn_on("dl80", 0, s80, park_fn, 0);
		if (!t[n] || tk_thread_stats(t[n], &st))
			ok = 0;
		else
			cpus_used |= 1u << st.cpu;
		n++;
	}
	TK_CHECK("dl_80pct_one_per_cpu_worst_fit", ok && cpus_used == tk_cpu_online_mask());
	struct tk_sched s40 = s80;

	/* 15 % left on each CPU: more than all of it together (40 % on 2 CPUs,
	 * 70 % on 4) has no placement, whole, split or repacked */
	s40.runtime = (15 * ncpu + 10 > 100 ? 100 : 15 * ncpu + 10) * 1000000ull;
	struct tk_thread_attr a = { .name = "dl40", .sched = s40 };
	tk_thread_t *x = 0;

	TK_CHECK("dl_fits_nowhere_ebusy", tk_thread_create(&x, &a, park_fn, 0) == -EBUSY && !x);
	struct tk_sched s10 = s80;

	s10.runtime = 10000000;
	a.sched = s10;
	a.cpu_mask = 1u << (ncpu - 1);
	TK_CHECK("dl_10pct_fits_beside", tk_thread_create(&x, &a, park_fn, 0) == 0 && x &&
		 tk_thread_stats(x, &st) == 0 && st.cpu == ncpu - 1);
	a.sched.runtime = 86000000;	/* 10 + 86 % pinned to one CPU: over its 95 % */
	TK_CHECK("dl_mask_full_ebusy", tk_thread_create(&t[7], &a, park_fn, 0) == -EBUSY && !t[7]);
	__atomic_store_n(&park_go, 1, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < n; i++)
		join(t[i]);
	join(x);
}

/* ---- parameters of a thread on another CPU change at run time (a
 * cross-call to its CPU); one that does not fit there changes nothing ---- */
static void test_remote_params(void)
{
	struct tk_sched s20 = { .policy = TK_SCHED_DEADLINE, .runtime = 20000000,
				.deadline = 100000000, .period = 100000000 };
	struct tk_sched s99 = s20, got;
	tk_thread_t *t;

	park_go = 0;
	t = spawn_on("remote", 1u << (ncpu - 1), s20, park_fn, 0);
	s20.runtime = 40000000;
	TK_CHECK("remote_dl_params_change", t && tk_thread_setsched(t, &s20) == 0 &&
		 tk_thread_getsched(t, &got) == 0 && got.runtime == 40000000);
	s99.runtime = 99000000;
	TK_CHECK("remote_dl_change_over_bound_ebusy_unchanged", t && tk_thread_setsched(t, &s99) == -EBUSY &&
		 tk_thread_getsched(t, &got) == 0 && got.runtime == 40000000);
	TK_CHECK("remote_to_fifo", t && tk_thread_setsched(t, &(struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = 7 }) == 0 &&
		 tk_thread_getsched(t, &got) == 0 && got.policy == TK_SCHED_FIFO && got.prio == 7);
	TK_CHECK("remote_bad_prio_einval", t && tk_thread_setsched(t, &(struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = 100 }) == -EINVAL);
	__atomic_store_n(&park_go, 1, __ATOMIC_RELEASE);
	join(t);
}

/* ---- interrupt routing: the console's line to CPU 1, and back ---- */
static const struct tk_device *find_level(int level)
{
	for (int i = 0; i < tk_dev_count(); i++)
		if (tk_dev_get(i)->drv->level == level)
			return tk_dev_get(i);
	return 0;
}

/* A device whose interrupt is connected and can be made to fire: the
 * virtio-rng slot (QEMU -device virtio-rng-device), whose every request
 * completes with an interrupt. */
static struct tk_device *rng_dev(void)
{
	uint8_t b;

	if (tk_entropy_get(&b, 1, tk_now_ns() + 1000000000ull) != 0)
		return 0;
	for (int i = 0; i < tk_dev_count(); i++) {
		struct tk_device *d = (struct tk_device *)tk_dev_get(i);

		if (strcmp(d->drv->name, "virtio_mmio") == 0 && tk_irq_last_cpu(d, 0) >= 0)
			return d;
	}
	return 0;
}

/* Delivery: routed to the last CPU, the completion runs its handler there. */
static void test_irq_delivery(void)
{
	struct tk_device *rng = rng_dev();
	unsigned last = ncpu - 1;
	uint8_t buf[32];
	uint64_t n;

	if (!rng) {
		printf("smp: no virtio-rng: interrupt delivery not checked\n");
		return;
	}
	n = tk_irq_count(rng, 0);
	TK_CHECK("irq_delivered_on_cpu0_by_default", tk_irq_last_cpu(rng, 0) == 0);
	TK_CHECK("irq_routed_to_last_cpu", tk_irq_set_affinity(rng, 0, last) == 0);
	TK_CHECK("irq_delivered_on_the_routed_cpu",
		 tk_entropy_get(buf, sizeof(buf), tk_now_ns() + 1000000000ull) == 0 &&
		 tk_irq_count(rng, 0) > n && tk_irq_last_cpu(rng, 0) == (int)last);
	tk_irq_set_affinity(rng, 0, 0);
}

static void test_irq_affinity(int con_cpu)
{
	struct tk_device *con = (struct tk_device *)find_level(TK_LEVEL_CONSOLE);
	struct tk_device *tmr = (struct tk_device *)find_level(TK_LEVEL_TIMER);
	int err;

	/* con_cpu=N in the bootargs: the DT's interrupt-affinity sent it there */
	TK_CHECK("irq_affinity_as_the_dt_says", con && tk_irq_affinity(con, 0) == con_cpu);
	TK_CHECK("irq_affinity_null_device_einval", tk_irq_affinity(0, 0) == -EINVAL &&
						    tk_irq_last_cpu(0, 0) == -EINVAL);
	if (!tmr)	/* x86: the timer is the LAPIC's own line 0 */
		tmr = (struct tk_device *)find_level(TK_LEVEL_INTC);

	TK_CHECK("irq_affinity_offline_cpu_einval", con && tk_irq_set_affinity(con, 0, 31) == -EINVAL);
	TK_CHECK("irq_affinity_percpu_line_refused", tmr && tk_irq_set_affinity(tmr, 2, 1) < 0);
	err = con ? tk_irq_set_affinity(con, 0, 1) : -ENODEV;
	if (err == -ENOTSUP) {	/* a chained controller (the Pi's mini-UART): said, not routed */
		printf("smp: the console's controller cannot route: %d\n", err);
		return;
	}
	TK_CHECK("irq_affinity_set", err == 0);
	/* QEMU's UARTs take every byte at once: the transmit ring never waits
	 * for an interrupt, so delivery on CPU 1 is not observable here (the
	 * console's receive interrupt will be). */
	TK_CHECK("irq_affinity_back_to_cpu0", tk_irq_set_affinity(con, 0, 0) == 0 &&
						   tk_irq_affinity(con, 0) == 0);
	test_irq_delivery();
}

/* ---- each CPU's one-shot timer: sleeps on every CPU ---- */
static void *sleeper_fn(void *arg)
{
	unsigned want = (unsigned)(uintptr_t)arg, bad = 0;

	for (int i = 0; i < 5; i++) {
		uint64_t t0 = tk_now_ns();

		tk_sleep_ns(1000000);
		bad += tk_now_ns() < t0 + 1000000 || tk_cpu_id() != want;
	}
	return (void *)(uintptr_t)bad;
}

static void test_sleep_every_cpu(void)
{
	tk_thread_t *t[8];
	unsigned bad = 0;

	for (unsigned c = 0; c < ncpu; c++)
		t[c] = spawn_on("sleeper", 1u << c, fifo(4), sleeper_fn, (void *)(uintptr_t)c);
	for (unsigned c = 0; c < ncpu; c++) {
		void *r = (void *)1;

		if (t[c])
			tk_thread_join(t[c], &r);
		bad += (unsigned)(uintptr_t)r;
	}
	TK_CHECK("timed_sleeps_on_every_cpu", bad == 0);
}

/* ---- deadline threads on every CPU beside FIFO 99 hogs on every CPU ---- */
static volatile unsigned dl_done;
static volatile int dl_hog_stop;

static void *dl_fn(void *arg)
{
	(void)arg;
	for (int j = 0; j < 10; j++) {
		for (volatile int k = 0; k < 2000; k++)
			;
		tk_yield();
	}
	__atomic_fetch_add(&dl_done, 1, __ATOMIC_RELEASE);
	return 0;
}

static void *dl_hog_fn(void *arg)
{
	unsigned want = (unsigned)(uintptr_t)arg;

	/* Never blocks. tk_cpu_relax only lets QEMU's round-robin TCG hand the
	 * turn to the other vCPUs (a vCPU spinning without a yield hint keeps
	 * it, and the others' timers starve: a QEMU artefact, not the guest's). */
	while (__atomic_load_n(&dl_done, __ATOMIC_ACQUIRE) < want)
		tk_cpu_relax();
	return 0;
}

static void test_dl_beside_hogs(void)
{
	tk_thread_t *d[8], *h[8];
	struct tk_sched s = { .policy = TK_SCHED_DEADLINE, .runtime = 2000000,
			      .deadline = 20000000, .period = 20000000 };
	unsigned misses = 0, overruns = 0, placed = 0;

	dl_done = 0;
	for (unsigned c = 0; c < ncpu; c++)
		d[c] = spawn_on("dl", 1u << c, s, dl_fn, 0);
	printf("dl: threads started\n");
	for (unsigned c = ncpu; c-- > 0;)	/* CPU 0's last: it stops main until the end */
		h[c] = spawn_on("fifo-hog", 1u << c, fifo(99), dl_hog_fn, (void *)(uintptr_t)ncpu);
	for (unsigned c = 0; c < ncpu; c++) {
		struct tk_thread_stats st;

		if (d[c] && tk_thread_stats(d[c], &st) == 0) {
			misses += st.misses;
			overruns += st.overruns;
			placed += st.cpu == c;
		}
		join(d[c]);
		join(h[c]);
	}
	TK_CHECK("deadline_threads_on_every_cpu_beside_fifo_hogs", dl_done == ncpu && placed == ncpu);
	printf("dl: misses %u overruns %u\n", misses, overruns);
	TK_CHECK("deadline_threads_miss_nothing", misses == 0);
}

/* ---- C=D splitting: a deadline thread that fits on no single CPU runs
 * split over two, every job on time, at most two migrations a job ---- */
static void test_split(void)
{
	struct split_result r;

	split_run(ncpu, &r);
	printf("split: cpus %d,%d jobs %u late %u migrations %lu overruns %u misses %u others %u\n",
	       r.cpu[0], r.cpu[1], r.jobs, r.late, (unsigned long)r.migrations, r.overruns,
	       r.misses, r.others_misses);
	TK_CHECK("split_thread_admitted_over_two_cpus",
		 r.created && r.cpu[0] >= 0 && r.cpu[1] >= 0 && r.cpu[0] != r.cpu[1]);
	TK_CHECK("split_jobs_start_on_first_cpu_end_on_second",
		 r.jobs > 0 && r.started_off == 0 && r.ended_off == 0);
	TK_CHECK("split_thread_meets_every_deadline", r.jobs > 0 && r.late == 0 && r.misses == 0);
	TK_CHECK("split_at_most_two_migrations_per_job", r.migrations <= 2ull * r.jobs);
	TK_CHECK("split_beside_threads_miss_nothing", r.others_misses == 0);
}

/* ---- a split thread that helps while its job's piece changes goes, once
 * done helping, to the CPU of the piece it is in (split_help.c) ---- */
static void test_split_help(void)
{
	struct split_help_result r;

	if (ncpu < 4) {
		printf("smp: fewer than 4 CPUs: a split thread helping not checked\n");
		return;
	}
	split_help_run(&r);
	printf("split_help: cpus %d,%d helped %d waiter %d later jobs %u started off %u\n",
	       r.cpu[0], r.cpu[1], r.helped, r.w_got, r.jobs_after, r.started_off);
	TK_CHECK("split_help_admitted_split_over_1_and_2",
		 r.created && r.cpu[0] == 1 && r.cpu[1] == 2);
	TK_CHECK("split_owner_helped_on_waiters_cpu", r.helped && r.w_got);
	TK_CHECK("split_helper_back_on_its_piece_cpu", r.jobs_after > 0 && r.started_off == 0);
}

/* ---- a deadline thread that fits only once the others are placed again:
 * admitted, the others moved with jobs in flight, nothing missed ---- */
static void test_repack(void)
{
	struct repack_result r;

	if (ncpu != 4)
		return;
	repack_run(&r);
	printf("repack: created %u moved %u split %u jobs %u late %u misses %u overruns %u\n",
	       r.created, r.moved, r.split, r.jobs, r.late, r.misses, r.overruns);
	TK_CHECK("repack_admits_what_fits_only_placed_again", r.created == REPACK_THREADS);
	TK_CHECK("repack_moved_running_threads", r.moved > 0);
	TK_CHECK("repack_every_deadline_met", r.jobs > 0 && r.late == 0 && r.misses == 0);
}

/* ---- a deadline thread's parameters change between split and whole ---- */
static void test_params_resplit(void)
{
	struct params_result r;

	params_run(ncpu, &r);
	TK_CHECK("params_60pct_beside_60pct_split", r.split_at_first);
	TK_CHECK("params_split_to_30pct_whole", r.whole_after_shrink);
	TK_CHECK("params_whole_to_60pct_split_again", r.split_after_grow);
	TK_CHECK("params_split_99pct_ebusy_unchanged", r.refused_unchanged);
	TK_CHECK("affinity_split_to_one_loaded_cpu_ebusy_unchanged", r.mask_one_cpu_refused);
	TK_CHECK("affinity_split_without_its_cpu_resplit_or_ebusy", r.mask_without_its_cpu);
	TK_CHECK("params_changes_miss_nothing", r.misses == 0);
}

/* ---- Linux's API: sched_*affinity, pthread_*affinity_np, sched_getcpu,
 * sysconf, the CPU_* macros, the thread CPU-time clock ---- */
static void *posix_pinned(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)sched_getcpu();
}

static void test_posix(void)
{
	cpu_set_t set, got;
	pthread_attr_t a;
	pthread_t th;
	void *where = (void *)-1;
	struct timespec t0, t1;

	TK_CHECK("sysconf_nprocessors", sysconf(_SC_NPROCESSORS_ONLN) == (long)ncpu &&
					    sysconf(_SC_NPROCESSORS_CONF) >= (long)ncpu);
	CPU_ZERO(&set);
	CPU_SET(1, &set);
	TK_CHECK("sched_setaffinity_self", sched_setaffinity(0, sizeof(set), &set) == 0 &&
					       sched_getcpu() == 1);
	CPU_ZERO(&got);
	TK_CHECK("sched_getaffinity_self", sched_getaffinity(0, sizeof(got), &got) == 0 &&
					       CPU_EQUAL(&set, &got) && CPU_COUNT(&got) == 1);
	CPU_ZERO(&set);
	errno = 0;
	TK_CHECK("sched_setaffinity_empty_einval",
		 sched_setaffinity(0, sizeof(set), &set) == -1 && errno == EINVAL && sched_getcpu() == 1);
	CPU_SET(100, &set);
	errno = 0;
	TK_CHECK("sched_setaffinity_cpu100_einval",
		 sched_setaffinity(0, sizeof(set), &set) == -1 && errno == EINVAL);
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	TK_CHECK("pthread_setaffinity_np_self",
		 pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0 && sched_getcpu() == 0);
	pthread_attr_init(&a);
	CPU_ZERO(&set);
	CPU_SET(ncpu - 1, &set);
	TK_CHECK("pthread_attr_setaffinity_np", pthread_attr_setaffinity_np(&a, sizeof(set), &set) == 0);
	clockid_t gone_clock = 0;

	if (pthread_create(&th, &a, posix_pinned, 0) == 0) {
		pthread_getcpuclockid(th, &gone_clock);
		pthread_join(th, &where);
	}
	TK_CHECK("created_thread_runs_on_attr_cpu", (intptr_t)where == (intptr_t)(ncpu - 1));
	errno = 0;
	TK_CHECK("cpu_clock_of_joined_thread_einval",
		 gone_clock && clock_gettime(gone_clock, &t0) == -1 && errno == EINVAL);
	CPU_ZERO(&set);
	CPU_SET(31, &set);
	TK_CHECK("attr_setaffinity_offline_einval",
		 pthread_attr_setaffinity_np(&a, sizeof(set), &set) == EINVAL);
	TK_CHECK("getcpuclockid_null_einval", pthread_getcpuclockid(pthread_self(), 0) == EINVAL);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	for (volatile int i = 0; i < 100000; i++)
		;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
	TK_CHECK("thread_cputime_advances", t1.tv_sec > t0.tv_sec ||
					    (t1.tv_sec == t0.tv_sec && t1.tv_nsec > t0.tv_nsec));
	clockid_t cid;

	TK_CHECK("pthread_getcpuclockid", pthread_getcpuclockid(pthread_self(), &cid) == 0 &&
					  clock_gettime(cid, &t0) == 0);
}

/* ---- the longest interrupts-masked stretch: counted with the bootarg
 * irqoff.stats=on (by then boot and the first switches masked them), 0
 * without ---- */
static void test_irqoff_stats(void)
{
	const char *v = tk_bootarg("irqoff.stats");
	struct tk_cpu_stats st;
	int on = v && strcmp(v, "on") == 0;

	TK_CHECK(on ? "irqoff_stats_counted" : "irqoff_stats_off_by_default",
		 tk_cpu_stats(0, &st) == 0 && (on ? st.irqoff_max_ns > 0 : st.irqoff_max_ns == 0));
	if (on)
		printf("smp: longest masked stretch on cpu 0: %lu ns\n", (unsigned long)st.irqoff_max_ns);
}

int main(int argc, char **argv)
{
	unsigned want = 0;
	int con_cpu = 0;

	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "cpus=", 5) == 0)
			want = (unsigned)atoi(argv[i] + 5);
		if (strncmp(argv[i], "con_cpu=", 8) == 0)
			con_cpu = atoi(argv[i] + 8);
	}
	ncpu = tk_cpu_count();
	printf("smp: %u of %u CPUs online\n", ncpu, tk_cpu_count_conf());
	TK_CHECK("cpus_online", want == 0 || ncpu == want);
	TK_CHECK("boot_cpu_is_0", tk_cpu_id() == 0);
	test_irqoff_stats();
	if (ncpu < 2) {
		printf("smp: one CPU, nothing more to check\n");
		return tk_test_done();
	}
	test_bad_masks();
	test_posix();
	test_affinity();
	test_migrate_self();
	wake_case(5, true, "cross_cpu_wake_preempts_with_ipi", "woken_thread_ran");
	wake_case(50, false, "no_ipi_for_wake_that_does_not_preempt", "woken_thread_ran_later");
	test_stress();
	test_many();
	test_sleep_every_cpu();
	test_irq_affinity(con_cpu);
	test_admission();
	test_remote_params();
	test_pi_chain();
	test_helping();
	test_dl_beside_hogs();
	test_split();
	test_split_help();
	test_params_resplit();
	test_repack();
	return tk_test_done();
}
