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

#include "smp_test.h"
#include "repack.h"
#include "split.h"
#include "split_help.h"

unsigned ncpu;

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
	unsigned long key = tk_irq_lock();
	int in_section = tk_thread_set_affinity(0, 1u << (ncpu - 1));

	tk_irq_unlock(key);
	TK_CHECK("affinity_in_irq_lock_eperm", in_section == -EPERM);
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
	bool console_chained = false, rx_delivery = false;

	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "cpus=", 5) == 0)
			want = (unsigned)atoi(argv[i] + 5);
		if (strncmp(argv[i], "con_cpu=", 8) == 0)
			con_cpu = atoi(argv[i] + 8);
		if (strcmp(argv[i], "console_chained") == 0)
			console_chained = true;
		if (strcmp(argv[i], "rx_delivery") == 0)
			rx_delivery = true;
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
	test_log_levels();
	test_many();
	test_sleep_every_cpu();
	test_irq_affinity(con_cpu, console_chained, rx_delivery);
	test_admission();
	test_remote_params();
	test_sections();
	test_pi_chain();
	test_helping();
	test_dl_beside_hogs();
	test_split();
	test_split_help();
	test_params_resplit();
	test_repack();
	return tk_test_done();
}
