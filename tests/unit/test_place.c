/*
 * Multicore placement (kernel/sched/place.c): admission edge cases, worst-fit,
 * masks, C=D split shape, the m-1 split limit, change/release restoring the
 * state exactly, bounds, bad input; then random task sets on 2 and 4 CPUs,
 * every admitted set simulated (smp_refsim.c) with kernel overheads charged
 * and zero deadline misses.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sched/place.h"
#include "smp_refsim.h"

#define MS 1000000ull
/* Kernel overhead charged in the simulation and added to C before admission
 * (as the kernel will): per job (release, two switches, the timer) and per
 * migration of a split job's second piece (wake list, IPI, cache refill).
 * Generous beside the figures of `./takt bench sched`/`smp` under QEMU. */
#define OVH_JOB 5000ull
#define OVH_MIG 5000ull

static struct place_params prm(uint64_t c, uint64_t d, uint64_t t)
{
	struct place_params p = { c, d, t };
	return p;
}

static uint64_t pct(unsigned p)
{
	return ((uint64_t)p << PLACE_SHIFT) / 100;
}

static void test_single_cpu_bound(void **state)
{
	struct place_sys s;
	struct place_result r;
	(void)state;
	place_init(&s, 1);
	assert_int_equal(place_admit(&s, &(struct place_params){ 50 * MS, 100 * MS, 100 * MS }, 1, &r), 0);
	assert_int_equal(r.npieces, 1);
	assert_int_equal(r.piece[0].cpu, 0);
	/* shares are rounded up (never under-stated): 95.0 % on the dot is just over */
	struct place_params p = prm(45 * MS, 100 * MS, 100 * MS);
	assert_int_equal(place_admit(&s, &p, 1, &r), -EBUSY);
	p = prm(44999 * 1000, 100 * MS, 100 * MS);
	assert_int_equal(place_admit(&s, &p, 1, &r), 0);
	p = prm(1 * MS, 100 * MS, 100 * MS);
	assert_int_equal(place_admit(&s, &p, 1, &r), -EBUSY);
	/* one CPU: no split possible */
	assert_int_equal(s.nsplit, 0);
}

static void test_worst_fit_and_mask(void **state)
{
	struct place_sys s;
	struct place_result r;
	struct place_params p = prm(30 * MS, 100 * MS, 100 * MS);
	(void)state;
	place_init(&s, 4);
	assert_int_equal(place_admit(&s, &p, 0xf, &r), 0);
	assert_int_equal(r.piece[0].cpu, 0); /* all empty: lowest */
	assert_int_equal(place_admit(&s, &p, 0xf, &r), 0);
	assert_int_equal(r.piece[0].cpu, 1); /* most spare */
	p = prm(10 * MS, 100 * MS, 100 * MS);
	assert_int_equal(place_admit(&s, &p, 0x3, &r), 0);
	assert_int_equal(r.piece[0].cpu, 0); /* tie 0/1 inside mask: lowest */
	assert_int_equal(place_admit(&s, &p, 0x3, &r), 0);
	assert_int_equal(r.piece[0].cpu, 1); /* 0 holds 40 %, 1 holds 30 % */
	assert_int_equal(place_admit(&s, &p, 0x8, &r), 0);
	assert_int_equal(r.piece[0].cpu, 3); /* pinned */
	assert_true(place_cpu_load(&s, 0) >= pct(40) && place_cpu_load(&s, 0) <= pct(40) + 1);
	assert_int_equal(place_cpu_load(&s, 2), 0);
	assert_int_equal(place_cpu_load(&s, 9), 0);
}

/* Two CPUs at 60 %: a 65 % task fits on neither, so it is split C=D. */
static void test_split_shape(void **state)
{
	struct place_sys s;
	struct place_result r, a;
	struct place_params p = prm(60 * MS, 100 * MS, 100 * MS);
	(void)state;
	place_init(&s, 2);
	assert_int_equal(place_admit(&s, &p, 1, &a), 0);
	assert_int_equal(place_admit(&s, &p, 2, &a), 0);
	p = prm(65 * MS, 100 * MS, 100 * MS);
	assert_int_equal(place_admit(&s, &p, 3, &r), 0);
	assert_int_equal(r.npieces, 2);
	assert_int_not_equal(r.piece[0].cpu, r.piece[1].cpu);
	uint64_t c1 = r.piece[0].runtime;
	assert_int_equal(r.piece[0].deadline, c1);        /* C1 = D1 */
	assert_int_equal(r.piece[0].offset, 0);
	assert_int_equal(r.piece[1].runtime, 65 * MS - c1);
	assert_int_equal(r.piece[1].deadline, 100 * MS - c1);
	assert_int_equal(r.piece[1].offset, c1);
	/* C1 is maximal to within 1/128 of C (the search's resolution): that
	 * much more fails on its CPU's exact test (here the 95 % share:
	 * 60 % + C1 / T) */
	struct place_sys t;
	place_init(&t, 2);
	struct place_result x;
	p = prm(60 * MS, 100 * MS, 100 * MS);
	place_admit(&t, &p, 1, &x);
	place_admit(&t, &p, 2, &x);
	assert_true(place_cpu_fits(&t, r.piece[0].cpu, c1, c1, 100 * MS));
	uint64_t close = 65 * MS / 128;
	assert_false(place_cpu_fits(&t, r.piece[0].cpu, c1 + close, c1 + close, 100 * MS));
	assert_int_equal(s.nsplit, 1);
	/* the first CPU filled to 95 %: C1 just under 35 ms */
	assert_true(c1 > 35 * MS - close && c1 <= 35 * MS);
}

/* A mask of one CPU cannot split; at most m - 1 split tasks. */
static void test_split_limit(void **state)
{
	struct place_sys s;
	struct place_result r[8];
	struct place_params p = prm(60 * MS, 100 * MS, 100 * MS);
	(void)state;
	place_init(&s, 2);
	assert_int_equal(place_admit(&s, &p, 3, &r[0]), 0);
	assert_int_equal(place_admit(&s, &p, 3, &r[1]), 0);
	struct place_params q = prm(50 * MS, 100 * MS, 100 * MS);
	assert_int_equal(place_admit(&s, &q, 1, &r[2]), -EBUSY); /* one CPU of mask */
	q = prm(45 * MS, 100 * MS, 100 * MS); /* ~35 % + ~10 % */
	assert_int_equal(place_admit(&s, &q, 3, &r[2]), 0);
	assert_int_equal(r[2].npieces, 2);
	q = prm(4 * MS, 100 * MS, 100 * MS); /* fits whole on the 70 % CPU */
	assert_int_equal(place_admit(&s, &q, 3, &r[3]), 0);
	assert_int_equal(r[3].npieces, 1);
	q = prm(22 * MS, 100 * MS, 100 * MS); /* 21 % spare in all: would need a split */
	struct place_sys before = s;
	assert_int_equal(place_admit(&s, &q, 3, &r[4]), -EBUSY); /* m - 1 = 1 split already */
	assert_true(place_same(&before, &s, true));
}

static void test_change_release_exact(void **state)
{
	struct place_sys s, empty, before;
	struct place_result r[4], n;
	(void)state;
	place_init(&s, 4);
	empty = s;
	struct place_params p = prm(80 * MS, 100 * MS, 100 * MS);
	for (int i = 0; i < 4; i++)
		assert_int_equal(place_admit(&s, &p, 0xf, &r[i]), 0);
	p = prm(25 * MS, 100 * MS, 100 * MS); /* ~15 % + ~10 % */
	struct place_result sp;
	assert_int_equal(place_admit(&s, &p, 0xf, &sp), 0);
	assert_int_equal(sp.npieces, 2);
	before = s;
	/* too big: nothing changes */
	p = prm(90 * MS, 100 * MS, 100 * MS);
	assert_int_equal(place_change(&s, &r[0], &p, 0xf, &n), -EBUSY);
	assert_true(place_same(&before, &s, true));
	/* bad: nothing changes */
	p = prm(0, 100 * MS, 100 * MS);
	assert_int_equal(place_change(&s, &r[0], &p, 0xf, &n), -EINVAL);
	assert_true(place_same(&before, &s, true));
	/* shrink the split task: fits whole now, in its own old room */
	p = prm(10 * MS, 100 * MS, 100 * MS);
	assert_int_equal(place_change(&s, &sp, &p, 0xf, &sp), 0);
	assert_int_equal(sp.npieces, 1);
	assert_int_equal(s.nsplit, 0);
	/* change to the same parameters succeeds in place */
	assert_int_equal(place_change(&s, &r[1], &(struct place_params){ 80 * MS, 100 * MS, 100 * MS },
				      0x2, &r[1]), 0);
	place_release(&s, &sp);
	for (int i = 0; i < 4; i++)
		place_release(&s, &r[i]);
	assert_true(place_same(&empty, &s, false));	/* given back exactly; counted as changes */
}

/* Constrained deadlines go through QPA: two tasks C = D = 6 ms of period 10
 * fit on no CPU together though their sum is 120 % at D... and 60 % each. */
static void test_constrained_qpa(void **state)
{
	struct place_sys s;
	struct place_result r;
	(void)state;
	place_init(&s, 1);
	assert_int_equal(place_set_bound(&s, PLACE_UNIT), 0);
	struct place_params p = prm(3 * MS, 5 * MS, 20 * MS); /* u 15 %, density 60 % */
	assert_int_equal(place_admit(&s, &p, 1, &r), 0);
	assert_int_equal(place_admit(&s, &p, 1, &r), -EBUSY); /* 6 ms due by 5 ms */
	p = prm(2 * MS, 5 * MS, 20 * MS);
	assert_int_equal(place_admit(&s, &p, 1, &r), 0); /* 5 ms due by 5 ms: exact */
	/* implicit 10 %: its exact dbf is 0 before 10 ms, so it fits (its u*t
	 * line, 5.5 ms by 5 ms, would not) */
	p = prm(1 * MS, 10 * MS, 10 * MS);
	assert_int_equal(place_admit(&s, &p, 1, &r), 0);
	p = prm(1 * MS, 5 * MS, 20 * MS); /* 6 ms due by 5 ms */
	assert_int_equal(place_admit(&s, &p, 1, &r), -EBUSY);
	p = prm(4 * MS, 10 * MS, 20 * MS); /* 5 + 1 + 4 = 10 ms due by 10 ms: exact */
	assert_int_equal(place_admit(&s, &p, 1, &r), 0);
	p = prm(1 * MS, 10 * MS, 20 * MS);
	assert_int_equal(place_admit(&s, &p, 1, &r), -EBUSY);
}

static void test_con_storage_full(void **state)
{
	struct place_sys s;
	struct place_result r;
	(void)state;
	place_init(&s, 1);
	struct place_params p = prm(10000, 50 * MS, 100 * MS);
	for (int i = 0; i < PLACE_PIECES_MAX; i++)
		assert_int_equal(place_admit(&s, &p, 1, &r), 0);
	struct place_sys before = s;
	assert_int_equal(place_admit(&s, &p, 1, &r), -ENOSPC);
	assert_true(place_same(&before, &s, true));
	p = prm(10000, 100 * MS, 100 * MS); /* implicit: kept in the sum */
	assert_int_equal(place_admit(&s, &p, 1, &r), 0);
	assert_int_equal(r.piece[0].slot, PLACE_SLOT_NONE);
	place_release(&s, &r);
	assert_true(place_same(&before, &s, false));	/* admitted and given back: two changes */
	assert_int_equal(s.gen, before.gen + 2);
}

static void test_bound(void **state)
{
	struct place_sys s;
	struct place_result r;
	(void)state;
	place_init(&s, 2);
	assert_int_equal(s.bound_bw, PLACE_BOUND_DEFAULT);
	assert_int_equal(place_set_bound(&s, 0), -EINVAL);
	assert_int_equal(place_set_bound(&s, PLACE_UNIT + 1), -EINVAL);
	assert_int_equal(place_set_bound(&s, PLACE_UNIT), 0);
	struct place_params p = prm(98 * MS, 100 * MS, 100 * MS);
	assert_int_equal(place_admit(&s, &p, 1, &r), 0);
	assert_int_equal(place_set_bound(&s, pct(95)), -EBUSY);
	assert_int_equal(s.bound_bw, PLACE_UNIT);
	place_release(&s, &r);
	assert_int_equal(place_set_bound(&s, pct(50)), 0);
	p = prm(51 * MS, 100 * MS, 100 * MS);
	assert_int_equal(place_admit(&s, &p, 3, &r), 0); /* split across two halves */
	assert_int_equal(r.npieces, 2);
}

static void test_bad_input(void **state)
{
	struct place_sys s, before;
	struct place_result r, ok;
	(void)state;
	place_init(&s, 4);
	struct place_params good = prm(10 * MS, 100 * MS, 100 * MS);
	assert_int_equal(place_admit(&s, &good, 1, &ok), 0);
	before = s;
	const struct place_params bad[] = {
		prm(0, 10 * MS, 10 * MS), prm(1023, 10 * MS, 10 * MS),        /* C = 0, C < min */
		prm(11 * MS, 10 * MS, 20 * MS), prm(1 * MS, 20 * MS, 10 * MS), /* C > D, D > T */
		prm(1 * MS, 10 * MS, 0), prm(1 * MS, 0, 0),                   /* T = 0 */
		prm(1 * MS, PLACE_PERIOD_MAX, PLACE_PERIOD_MAX + 1),          /* too long, D < T */
		prm(1 * MS, PLACE_PERIOD_MAX_IMPLICIT + 1, PLACE_PERIOD_MAX_IMPLICIT + 1), /* too long */
		prm(UINT64_MAX, UINT64_MAX, UINT64_MAX),
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(place_admit(&s, &bad[i], 0xf, &r), -EINVAL);
		assert_int_equal(place_change(&s, &ok, &bad[i], 0xf, &r), -EINVAL);
	}
	const uint32_t masks[] = { 0, 0x10, 0x1f, 0x80000000u, 0xffffffffu };
	for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		assert_int_equal(place_admit(&s, &good, masks[i], &r), -EINVAL);
		assert_int_equal(place_change(&s, &ok, &good, masks[i], &r), -EINVAL);
	}
	assert_int_equal(place_admit(&s, NULL, 1, &r), -EINVAL);
	unsigned cnt[PLACE_CPUS_MAX] = { 0 };
	assert_int_equal(place_fp_cpu(&s, 0, cnt), -EINVAL);
	assert_int_equal(place_fp_cpu(&s, 0x10, cnt), -EINVAL);
	assert_true(place_same(&before, &s, true));
}

/* An implicit-deadline task with a period past the demand test's range is
 * admitted by its share, counted in the sum beside a constrained piece, and
 * never split. */
static void test_long_implicit_period(void **state)
{
	struct place_sys s;
	struct place_result r, con, big;
	uint64_t t = PLACE_PERIOD_MAX * 4;
	(void)state;
	place_init(&s, 2);
	struct place_params lng = prm(t / 2, t, t);
	assert_int_equal(place_admit(&s, &lng, 1, &r), 0);
	assert_int_equal(r.npieces, 1);
	assert_int_equal(r.piece[0].slot, PLACE_SLOT_NONE);
	assert_int_equal(s.cpu[0].sum_bw, r.piece[0].bw);
	/* a constrained piece beside it: the demand test sees the 50 % line */
	struct place_params c20 = prm(20 * MS, 50 * MS, 100 * MS); /* dbf(50) 20 <= 25 */
	assert_int_equal(place_admit(&s, &c20, 1, &con), 0);
	struct place_params c10 = prm(10 * MS, 20 * MS, 100 * MS);
	struct place_result x;
	/* 80 % is under the bound, but dbf(50) = 30 > 50 % of 50 ms */
	assert_int_equal(place_admit(&s, &c10, 1, &x), -EBUSY);
	/* a long task that fits on no CPU is not split */
	struct place_params lng2 = prm(t / 100 * 97, t, t); /* split would fit, whole not */
	assert_int_equal(place_admit(&s, &lng2, 3, &big), -EBUSY);
	place_release(&s, &con);
	place_release(&s, &r);
	assert_int_equal(s.cpu[0].sum_bw, 0);
	assert_int_equal(s.cpu[0].total_bw, 0);
}

static void test_fp_cpu(void **state)
{
	struct place_sys s;
	struct place_result r;
	unsigned cnt[PLACE_CPUS_MAX] = { 2, 1, 1, 0 };
	(void)state;
	place_init(&s, 4);
	assert_int_equal(place_fp_cpu(&s, 0xf, cnt), 3);
	assert_int_equal(place_fp_cpu(&s, 0x7, cnt), 1); /* tie 1/2: lowest */
	struct place_params p = prm(10 * MS, 100 * MS, 100 * MS);
	assert_int_equal(place_admit(&s, &p, 0x2, &r), 0);
	assert_int_equal(place_fp_cpu(&s, 0x7, cnt), 2); /* tie broken by DL load */
	assert_int_equal(place_fp_cpu(&s, 0x1, cnt), 0);
}

/* ---- random sets through the reference simulator ---- */

static void print_set(uint64_t seed, unsigned m, unsigned n, const uint64_t *c,
		      const uint64_t *t, const struct smp_sim_task *st)
{
	fprintf(stderr, "MISS: seed %llu, %u CPUs, %u tasks:\n", (unsigned long long)seed, m, n);
	for (unsigned i = 0; i < n; i++) {
		fprintf(stderr, "  task %u C %llu T %llu:", i, (unsigned long long)c[i],
			(unsigned long long)t[i]);
		for (unsigned k = 0; k < st[i].npieces; k++)
			fprintf(stderr, " [cpu %u c %llu d %llu]", st[i].piece[k].cpu,
				(unsigned long long)st[i].piece[k].c, (unsigned long long)st[i].piece[k].d);
		fprintf(stderr, "\n");
	}
}

/* The kernel's fall-back when task k fits nowhere online (sched/repack.c):
 * every task placed so far again with it. */
static bool repack(struct place_sys *s, const uint64_t *budget, const uint64_t *t, unsigned k,
		   unsigned m, struct place_result *r)
{
	static struct place_sys scratch;
	struct place_item it[SMP_SIM_TASKS];

	for (unsigned i = 0; i <= k; i++)
		it[i] = (struct place_item){ prm(budget[i], t[i], t[i]), (1u << m) - 1,
					     i < k ? r[i] : (struct place_result){ 0 }, { 0 } };
	if (place_repack(s, it, k + 1, &scratch) != 0)
		return false;
	for (unsigned i = 0; i <= k; i++)
		r[i] = it[i].out;
	return true;
}

/* One family: nsets random sets of n tasks with u in [lo, hi] on m CPUs at
 * 0.5..0.95 m, offered one by one as the kernel admits them (online, with
 * its repack). @return how many were admitted whole. */
static unsigned family(unsigned m, unsigned n, double lo, double hi, unsigned nsets, uint64_t seed0)
{
	unsigned admitted = 0, splits = 0, repacks = 0;

	for (unsigned k = 0; k < nsets; k++) {
		uint64_t seed = seed0 + k, x = seed * 0x9E3779B97F4A7C15ull + 1;
		double u[SMP_SIM_TASKS];
		double umin = n * lo > 0.5 * m ? n * lo : 0.5 * m;
		double total = umin + (0.95 * m - umin) * smp_rand_unit(&x);
		if (!smp_gen_uunifast(&x, n, total, lo, hi, u))
			continue;
		struct place_sys s;
		struct place_result r[SMP_SIM_TASKS];
		struct smp_sim_task st[SMP_SIM_TASKS];
		uint64_t c[SMP_SIM_TASKS], t[SMP_SIM_TASKS], b[SMP_SIM_TASKS];
		bool all = true;
		place_init(&s, m);
		for (unsigned i = 0; i < n && all; i++) {
			t[i] = smp_gen_period(&x);
			c[i] = (uint64_t)(u[i] * (double)t[i]);
			b[i] = c[i] + OVH_JOB + OVH_MIG; /* inflated, as the kernel */
			if (b[i] > t[i])
				b[i] = t[i];
			struct place_params p = prm(b[i], t[i], t[i]);
			all = place_admit(&s, &p, (1u << m) - 1, &r[i]) == 0;
			if (!all && repack(&s, b, t, i, m, r)) {
				all = true;
				repacks++;
			}
		}
		if (!all)
			continue;
		for (unsigned i = 0; i < n; i++) {
			smp_sim_of_place(&r[i], &st[i]);
			splits += r[i].npieces == 2;
		}
		admitted++;
		assert_true(s.nsplit <= m - 1);
		struct smp_sim_miss first;
		long misses = smp_sim_partitioned(st, n, m, SMP_SIM_HYPER, &first);
		if (misses != 0) {
			print_set(seed, m, n, c, t, st);
			fprintf(stderr, "  first miss: task %u released %llu deadline %llu\n", first.task,
				(unsigned long long)first.release, (unsigned long long)first.deadline);
		}
		assert_int_equal(misses, 0);
		/* the same pieces crowded onto CPU 0 must miss: the check can fail */
		if (total > 1.0) {
			for (unsigned i = 0; i < n; i++)
				st[i].piece[0].cpu = st[i].piece[1].cpu = 0;
			assert_true(smp_sim_partitioned(st, n, m, SMP_SIM_HYPER, NULL) > 0);
		}
	}
	printf("  %u CPUs, %u tasks u in [%.2f, %.2f]: %u of %u sets admitted (%u repacks), %u split "
	       "tasks, all simulated with no miss\n", m, n, lo, hi, admitted, nsets, repacks, splits);
	return admitted;
}

static void test_random_sets(void **state)
{
	(void)state;
	/* the simulator itself must see misses: an overloaded pinned set */
	struct smp_sim_task bad[2] = {
		{ 10 * MS, 1, { { 0, 6 * MS, 10 * MS } } },
		{ 10 * MS, 1, { { 0, 5 * MS, 10 * MS } } },
	};
	assert_true(smp_sim_partitioned(bad, 2, 1, SMP_SIM_HYPER, NULL) > 0);
	assert_int_equal(smp_sim_partitioned(bad, 2, 2, SMP_SIM_HYPER, NULL) > 0, true);
	assert_int_equal(smp_sim_global(bad, 2, 2, SMP_SIM_HYPER, NULL), 0);
	assert_true(family(2, 12, 0.0, 1.0, 250, 1000) > 150);
	assert_true(family(4, 12, 0.0, 1.0, 250, 2000) > 150);
	assert_true(family(2, 3, 0.5, 0.95, 250, 3000) > 100);
	assert_true(family(4, 6, 0.5, 0.95, 250, 4000) > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_cpu_bound),
		cmocka_unit_test(test_worst_fit_and_mask),
		cmocka_unit_test(test_split_shape),
		cmocka_unit_test(test_split_limit),
		cmocka_unit_test(test_change_release_exact),
		cmocka_unit_test(test_constrained_qpa),
		cmocka_unit_test(test_con_storage_full),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_long_implicit_period),
		cmocka_unit_test(test_fp_cpu),
		cmocka_unit_test(test_random_sets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
