/*
 * Re-placing every task when a new one fits nowhere online (place_repack in
 * kernel/sched/place.c, the kernel's fall-back in sched/repack.c): a set
 * online worst fit refuses is admitted and simulated with no miss; a set
 * that does not fit leaves the system exactly as it was; masks, shares the
 * caller does not list, and the split limit hold; bad items are refused.
 * Random sets offered online go through test_place.c's family() with the
 * same fall-back.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "sched/place.h"
#include "smp_refsim.h"

#define MS 1000000ull
#define ALL4 0xfu

static struct place_sys scratch;

static struct place_params pct_task(unsigned pct)
{
	struct place_params p = { 10 * MS * pct / 100, 10 * MS, 10 * MS };
	return p;
}

/* Admit pcts[] one by one online; the first refused is returned (n: none). */
static unsigned online(struct place_sys *s, const unsigned *pcts, unsigned n,
		       struct place_result *r)
{
	for (unsigned i = 0; i < n; i++) {
		struct place_params p = pct_task(pcts[i]);
		if (place_admit(s, &p, ALL4, &r[i]) != 0)
			return i;
	}
	return n;
}

static void items_of(const unsigned *pcts, unsigned n, const struct place_result *r,
		     struct place_item *it)
{
	for (unsigned i = 0; i < n; i++)
		it[i] = (struct place_item){ pct_task(pcts[i]), ALL4, r[i], { 0 } };
	it[n] = (struct place_item){ pct_task(pcts[n]), ALL4, { 0 }, { 0 } };
}

/* The smp target test's set (tests/target/apps/smp/repack.c). */
static void test_admits_what_online_refuses(void **state)
{
	static const unsigned pcts[] = { 65, 70, 55, 15, 65, 70 };
	struct place_sys s;
	struct place_result r[6];
	struct place_item it[6];
	struct smp_sim_task st[6];
	(void)state;
	place_init(&s, 4);
	assert_int_equal(online(&s, pcts, 6, r), 5);	/* the sixth fits nowhere as they lie */
	items_of(pcts, 5, r, it);
	assert_int_equal(place_repack(&s, it, 6, &scratch), 0);
	uint64_t sum = 0;
	for (unsigned c = 0; c < 4; c++) {
		assert_true(place_cpu_load(&s, c) <= s.bound_bw);
		sum += place_cpu_load(&s, c);
	}
	uint64_t want = 0;
	for (unsigned i = 0; i < 6; i++) {
		want += it[i].out.piece[0].bw + (it[i].out.npieces == 2 ? it[i].out.piece[1].bw : 0);
		smp_sim_of_place(&it[i].out, &st[i]);
	}
	assert_true(sum == want);	/* every share booked once, nothing left behind */
	assert_true(s.nsplit <= 3);
	assert_int_equal(smp_sim_partitioned(st, 6, 4, SMP_SIM_HYPER, NULL), 0);
	/* and the pieces crowded onto one CPU would miss: the simulation can fail */
	for (unsigned i = 0; i < 6; i++)
		st[i].piece[0].cpu = st[i].piece[1].cpu = 0;
	assert_true(smp_sim_partitioned(st, 6, 4, SMP_SIM_HYPER, NULL) > 0);
}

/* Heavy tasks of different periods: the sixth fits nowhere online, and the
 * greedy repack (best fit, then the first C=D split that passes: the one
 * before the search) refused it too. The search backtracks to a placement
 * with two split tasks, which the simulation runs with no miss. */
static void test_search_backtracks(void **state)
{
	static const unsigned pct[] = { 55, 55, 55, 60, 50, 80 };
	static const unsigned ms[] = { 10, 40, 40, 5, 40, 5 };
	struct place_sys s;
	struct place_result r[6];
	struct place_item it[6];
	struct smp_sim_task st[6];
	(void)state;
	place_init(&s, 4);
	for (unsigned i = 0; i < 6; i++) {
		struct place_params p = { ms[i] * MS * pct[i] / 100, ms[i] * MS, ms[i] * MS };
		it[i] = (struct place_item){ p, ALL4, { 0 }, { 0 } };
		if (i < 5)
			assert_int_equal(place_admit(&s, &p, ALL4, &it[i].placed), 0);
		else
			assert_int_equal(place_admit(&s, &p, ALL4, &r[i]), -EBUSY);
	}
	assert_int_equal(place_repack(&s, it, 6, &scratch), 0);
	assert_true(s.nsplit >= 1 && s.nsplit <= 3);
	for (unsigned i = 0; i < 6; i++)
		smp_sim_of_place(&it[i].out, &st[i]);
	assert_int_equal(smp_sim_partitioned(st, 6, 4, SMP_SIM_HYPER, NULL), 0);
	for (unsigned i = 0; i < 6; i++)	/* every share given back exactly */
		place_release(&s, &it[i].out);
	for (unsigned c = 0; c < 4; c++)
		assert_int_equal(place_cpu_load(&s, c), 0);
	assert_int_equal(s.nsplit, 0);
}

static void test_refusal_changes_nothing(void **state)
{
	static const unsigned pcts[] = { 90, 90, 90, 90, 30 };
	struct place_sys s, before;
	struct place_result r[5];
	struct place_item it[5];
	(void)state;
	place_init(&s, 4);
	assert_int_equal(online(&s, pcts, 5, r), 4);
	before = s;
	items_of(pcts, 4, r, it);
	assert_int_equal(place_repack(&s, it, 5, &scratch), -EBUSY);
	assert_true(place_same(&s, &before, true));
}

/* Shares the caller does not list stay where they are; masks hold. */
static void test_unlisted_and_masks(void **state)
{
	struct place_sys s;
	struct place_result pinned, r[2];
	struct place_params p80 = pct_task(80), p50 = pct_task(50);
	(void)state;
	place_init(&s, 2);
	assert_int_equal(place_admit(&s, &p80, 0x1, &pinned), 0);	/* not listed below */
	assert_int_equal(place_admit(&s, &p50, 0x3, &r[0]), 0);
	assert_int_equal(r[0].piece[0].cpu, 1);
	struct place_item it[2] = {
		{ p50, 0x3, r[0], { 0 } },
		{ pct_task(40), 0x2, { 0 }, { 0 } },	/* only CPU 1: 50 + 40 there */
	};
	assert_int_equal(place_repack(&s, it, 2, &scratch), 0);
	assert_int_equal(it[1].out.npieces, 1);
	assert_int_equal(it[1].out.piece[0].cpu, 1);
	assert_int_equal(it[0].out.piece[0].cpu, 1);	/* 80 % + 50 % will not go on CPU 0 */
	assert_true(place_cpu_load(&s, 0) >= pinned.piece[0].bw);
	/* the unlisted one can still be released exactly */
	place_release(&s, &pinned);
	assert_int_equal(place_cpu_load(&s, 0), 0);
}

static void test_bad_items(void **state)
{
	struct place_sys s, before;
	struct place_result r;
	struct place_params p = pct_task(20);
	(void)state;
	place_init(&s, 4);
	assert_int_equal(place_admit(&s, &p, ALL4, &r), 0);
	before = s;
	struct place_item two_new[2] = { { p, ALL4, { 0 }, { 0 } }, { p, ALL4, { 0 }, { 0 } } };
	assert_int_equal(place_repack(&s, two_new, 2, &scratch), -EINVAL);
	struct place_item it = { p, 0, { 0 }, { 0 } };	/* empty mask */
	assert_int_equal(place_repack(&s, &it, 1, &scratch), -EINVAL);
	it.mask = 1u << 5;	/* a CPU the system does not have */
	assert_int_equal(place_repack(&s, &it, 1, &scratch), -EINVAL);
	it = (struct place_item){ { 0, 10 * MS, 10 * MS }, ALL4, { 0 }, { 0 } };	/* no runtime */
	assert_int_equal(place_repack(&s, &it, 1, &scratch), -EINVAL);
	it = (struct place_item){ p, ALL4, r, { 0 } };
	it.placed.npieces = 3;
	assert_int_equal(place_repack(&s, &it, 1, &scratch), -EINVAL);
	it.placed = r;
	it.placed.piece[0].cpu = 7;	/* a placement on no CPU of s */
	assert_int_equal(place_repack(&s, &it, 1, &scratch), -EINVAL);
	it.placed = r;
	assert_int_equal(place_repack(&s, &it, 0, &scratch), -EINVAL);
	assert_int_equal(place_repack(&s, &it, PLACE_REPACK_MAX + 1, &scratch), -EINVAL);
	assert_int_equal(place_repack(&s, NULL, 1, &scratch), -EINVAL);
	assert_int_equal(place_repack(&s, &it, 1, NULL), -EINVAL);
	assert_true(place_same(&s, &before, true));
	/* the good item alone: placed again, the same share */
	assert_int_equal(place_repack(&s, &it, 1, &scratch), 0);
	assert_int_equal(place_cpu_load(&s, it.out.piece[0].cpu), r.piece[0].bw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_admits_what_online_refuses),
		cmocka_unit_test(test_search_backtracks),
		cmocka_unit_test(test_refusal_changes_nothing),
		cmocka_unit_test(test_unlisted_and_masks),
		cmocka_unit_test(test_bad_items),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
