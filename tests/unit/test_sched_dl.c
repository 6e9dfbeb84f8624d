/*
 * kernel/sched/dl.c and dl_bw.c: SCHED_DEADLINE parameter checks, admission
 * control, and each CBS rule of Documentation/scheduler/sched-deadline.rst
 * (section 2.1 wake-up / charge / throttle / replenish, 4.1 admission, 4.4
 * yield), the revised wake-up rule and the deadline-miss definition.
 */
#include "sched_test.h"

#include "sched/dl.h"
#include "sched/dl_bw.h"

static const struct dl_params p10of100 = { 10 * MS, 100 * MS, 100 * MS };

/* An entity woken (fresh) at t0: deadline t0 + D, full budget. */
static void started(struct dl_entity *dl, const struct dl_params *p, uint64_t t0)
{
	assert_int_equal(dl_init(dl, p), 0);
	assert_int_equal(dl_wakeup(dl, t0), DL_EV_RUNNABLE);
}

/* ---- parameters */

static void test_params_rejects_invalid_and_leaves_entity_untouched(void **state)
{
	static const struct dl_params bad[] = {
		{ 0, 10 * MS, 10 * MS },              /* no runtime */
		{ 1023, 10 * MS, 10 * MS },           /* below 1024 ns granularity */
		{ 20 * MS, 10 * MS, 30 * MS },        /* runtime > deadline */
		{ 1 * MS, 20 * MS, 10 * MS },         /* deadline > period */
		{ 1 * MS, 0, 0 },                     /* no deadline */
		{ 1 * MS, 10 * MS, DL_PERIOD_MAX + 1 }, /* period too long */
		{ 1 * MS, DL_PERIOD_MAX + 1, 0 },     /* deadline too long (period = it) */
	};
	struct dl_entity dl, before;

	(void)state;
	started(&dl, &p10of100, 5 * MS);
	memcpy(&before, &dl, sizeof(dl));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(dl_check_params(&bad[i]), -EINVAL);
		assert_int_equal(dl_init(&dl, &bad[i]), -EINVAL);
		assert_int_equal(dl_set_params(&dl, &bad[i]), -EINVAL);
		assert_memory_equal(&dl, &before, sizeof(dl));
	}
}

static void test_params_accepts_boundaries_and_period_zero_means_deadline(void **state)
{
	struct dl_params p = { 1024, 1024, 0 };
	struct dl_entity dl;

	(void)state;
	assert_int_equal(dl_init(&dl, &p), 0);
	assert_int_equal(dl.dl_period, 1024);
	assert_int_equal(dl.dl_bw, BW_UNIT); /* 100 % */
	p = (struct dl_params){ 1 * MS, 2 * MS, DL_PERIOD_MAX };
	assert_int_equal(dl_check_params(&p), 0);
	assert_true(dl.sleeping && dl.fresh && !dl.throttled);
}

static void test_to_ratio_matches_linux_fixed_point(void **state)
{
	(void)state;
	assert_int_equal(dl_to_ratio(100 * MS, 10 * MS), BW_UNIT / 10 + 0); /* 104857 */
	assert_int_equal(dl_to_ratio(3, 1), (1ull << 20) / 3);
	assert_int_equal(dl_to_ratio(0, 5), 0);
	assert_int_equal(DL_BW_DEFAULT_BOUND, 996147); /* Linux: 950000 of 1000000 us */
}

/* ---- admission control (rst 4.1) */

static void test_admission_accepts_up_to_bound_exactly(void **state)
{
	struct dl_bw b;
	struct dl_params half = { 1 * MS, 2 * MS, 2 * MS };

	(void)state;
	dl_bw_init(&b);
	assert_int_equal(dl_bw_set_bound(&b, BW_UNIT), 0);
	assert_int_equal(dl_bw_admit(&b, &half), 0);
	assert_int_equal(dl_bw_admit(&b, &half), 0); /* exactly 100 % */
	assert_int_equal(b.total_bw, BW_UNIT);
	assert_int_equal(dl_bw_admit(&b, &(struct dl_params){ 1024, 1 * MS, 1 * MS }), -EBUSY);
}

static void test_admission_rejects_over_bound_and_changes_nothing(void **state)
{
	struct dl_bw b, before;
	struct dl_params p40 = { 40 * MS, 100 * MS, 100 * MS };
	struct dl_params p20 = { 20 * MS, 100 * MS, 100 * MS };

	(void)state;
	dl_bw_init(&b);
	assert_int_equal(dl_bw_admit(&b, &p40), 0);
	assert_int_equal(dl_bw_admit(&b, &p40), 0); /* 80 % */
	before = b;
	assert_int_equal(dl_bw_admit(&b, &p20), -EBUSY); /* 100 % > 95 % */
	assert_memory_equal(&b, &before, sizeof(b));
	assert_int_equal(dl_bw_change(&b, &p40, &(struct dl_params){ 60 * MS, 100 * MS, 0 }),
			 -EBUSY);
	assert_memory_equal(&b, &before, sizeof(b));
	assert_int_equal(dl_bw_admit(&b, &(struct dl_params){ 15 * MS, 100 * MS, 0 }), 0);
}

static void test_admission_change_excludes_own_bandwidth(void **state)
{
	struct dl_bw b;
	struct dl_params p90 = { 90 * MS, 100 * MS, 100 * MS };
	struct dl_params p95 = { 95 * MS, 100 * MS, 100 * MS };

	(void)state;
	dl_bw_init(&b);
	assert_int_equal(dl_bw_admit(&b, &p90), 0);
	/* 90 % -> 95 %: fits because its old 90 % is given back first. */
	assert_int_equal(dl_bw_change(&b, &p90, &(struct dl_params){ 94 * MS, 100 * MS, 0 }), 0);
	assert_int_equal(b.total_bw, dl_to_ratio(100 * MS, 94 * MS));
	assert_int_equal(dl_bw_admit(&b, &(struct dl_params){ 2 * MS, 100 * MS, 0 }), -EBUSY);
	dl_bw_release(&b, &(struct dl_params){ 94 * MS, 100 * MS, 0 });
	assert_int_equal(b.total_bw, 0);
	assert_int_equal(dl_bw_admit(&b, &(struct dl_params){ 96 * MS, 100 * MS, 0 }), -EBUSY);
	assert_int_equal(dl_bw_admit(&b, &p95), 0); /* exactly the 95 % bound */
}

static void test_admission_rejects_invalid_params_with_einval(void **state)
{
	struct dl_bw b, before;

	(void)state;
	dl_bw_init(&b);
	before = b;
	assert_int_equal(dl_bw_admit(&b, &(struct dl_params){ 0, 1 * MS, 0 }), -EINVAL);
	assert_int_equal(dl_bw_change(&b, &p10of100, &(struct dl_params){ 2 * MS, 1 * MS, 0 }),
			 -EINVAL);
	assert_memory_equal(&b, &before, sizeof(b));
}

static void test_admission_bound_is_configurable(void **state)
{
	struct dl_bw b;

	(void)state;
	dl_bw_init(&b);
	assert_int_equal(dl_bw_set_bound(&b, BW_UNIT + 1), -EINVAL);
	assert_int_equal(dl_bw_admit(&b, &(struct dl_params){ 50 * MS, 100 * MS, 0 }), 0);
	assert_int_equal(dl_bw_set_bound(&b, BW_UNIT / 4), -EBUSY); /* below 50 % admitted */
	assert_int_equal(b.bound_bw, DL_BW_DEFAULT_BOUND);
	assert_int_equal(dl_bw_set_bound(&b, BW_UNIT / 2), 0);
	assert_int_equal(dl_bw_admit(&b, &(struct dl_params){ 1 * MS, 100 * MS, 0 }), -EBUSY);
}

/* ---- CBS rules (rst 2.1) */

static void test_first_wakeup_starts_a_new_period(void **state)
{
	struct dl_entity dl;

	(void)state;
	started(&dl, &p10of100, 7 * MS);
	assert_int_equal(dl.deadline, 107 * MS);
	assert_int_equal(dl.runtime, 10 * MS);
	assert_int_equal(dl.job_deadline, 107 * MS);
	assert_false(dl.fresh);
}

static void test_cbs_throttles_on_budget_exhaustion_until_deadline(void **state)
{
	struct dl_entity dl;

	(void)state;
	started(&dl, &p10of100, 0);
	assert_int_equal(dl_charge(&dl, 4 * MS, 4 * MS), 0);
	assert_int_equal(dl.runtime, 6 * MS);
	assert_int_equal(dl_charge(&dl, 10 * MS, 6 * MS), DL_EV_OVERRUN | DL_EV_THROTTLED);
	assert_true(dl.throttled);
	assert_int_equal(dl.runtime, 0);
	assert_int_equal(dl_next_period(&dl), 100 * MS); /* = the deadline */
	assert_int_equal(dl.nr_overruns, 1);
	assert_int_equal(dl.nr_misses, 0);
}

static void test_charge_is_exact_across_many_small_deltas(void **state)
{
	struct dl_entity dl;
	uint64_t now = 0;

	(void)state;
	started(&dl, &p10of100, 0);
	/* 9 999 999 ns in 3-ns steps leave exactly 1 ns: no rounding anywhere. */
	for (int i = 0; i < 3333333; i++) {
		now += 3;
		assert_int_equal(dl_charge(&dl, now, 3), 0);
	}
	assert_int_equal(dl.runtime, 10 * MS - 9999999);
	assert_int_equal(dl_charge(&dl, now + 2, 2), DL_EV_OVERRUN | DL_EV_THROTTLED);
	assert_int_equal(dl.runtime, -1);
}

static void test_replenish_adds_period_and_runtime(void **state)
{
	struct dl_entity dl;

	(void)state;
	started(&dl, &p10of100, 0);
	dl_charge(&dl, 12 * MS, 12 * MS); /* 2 ms over */
	assert_int_equal(dl_replenish(&dl, 100 * MS),
			 DL_EV_REPLENISHED | DL_EV_RUNNABLE | DL_EV_MISS);
	assert_int_equal(dl.deadline, 200 * MS);
	assert_int_equal(dl.runtime, 8 * MS); /* -2 + 10: the overrun is paid back */
	assert_false(dl.throttled);
}

static void test_replenish_repeats_while_runtime_not_positive(void **state)
{
	struct dl_entity dl;

	(void)state;
	started(&dl, &p10of100, 0);
	/* A 35 ms overrun (one long non-preemptible stretch): four periods. */
	dl_charge(&dl, 45 * MS, 45 * MS);
	assert_int_equal(dl.runtime, -35 * (int64_t)MS);
	dl_replenish(&dl, 100 * MS);
	assert_int_equal(dl.deadline, 500 * MS);
	assert_int_equal(dl.runtime, 5 * MS);
	/* Exactly zero needs one more period (runtime must end > 0). */
	started(&dl, &p10of100, 0);
	dl_charge(&dl, 20 * MS, 20 * MS);
	dl_replenish(&dl, 100 * MS);
	assert_int_equal(dl.deadline, 300 * MS);
	assert_int_equal(dl.runtime, 10 * MS);
}

static void test_replenish_lagging_deadline_starts_new_period(void **state)
{
	struct dl_entity dl;

	(void)state;
	started(&dl, &p10of100, 0);
	dl_charge(&dl, 11 * MS, 11 * MS);
	/* The timer ran very late: deadline + period is still in the past. */
	dl_replenish(&dl, 250 * MS);
	assert_int_equal(dl.deadline, 350 * MS);
	assert_int_equal(dl.runtime, 10 * MS);
}

static void test_charge_past_next_period_replenishes_at_once(void **state)
{
	struct dl_entity dl;
	unsigned ev;

	(void)state;
	started(&dl, &p10of100, 0);
	/* Charged late (a long interrupt-off stretch): the period is over. */
	ev = dl_charge(&dl, 120 * MS, 15 * MS);
	assert_int_equal(ev, DL_EV_OVERRUN | DL_EV_REPLENISHED | DL_EV_RUNNABLE | DL_EV_MISS);
	assert_false(dl.throttled);
	assert_int_equal(dl.deadline, 200 * MS);
	assert_int_equal(dl.runtime, 5 * MS);
}

static void test_wakeup_rule_resets_stale_deadline(void **state)
{
	struct dl_entity dl;

	(void)state;
	started(&dl, &p10of100, 0);
	dl_charge(&dl, 3 * MS, 3 * MS);
	assert_int_equal(dl_block(&dl, 4 * MS, 1 * MS), 0);
	assert_int_equal(dl.runtime, 6 * MS);
	assert_int_equal(dl_wakeup(&dl, 150 * MS), DL_EV_RUNNABLE);
	assert_int_equal(dl.deadline, 250 * MS);
	assert_int_equal(dl.runtime, 10 * MS);
}

static void test_wakeup_rule_resets_when_budget_too_dense(void **state)
{
	struct dl_entity dl;

	(void)state;
	started(&dl, &p10of100, 0);
	dl_block(&dl, 2 * MS, 2 * MS); /* 8 ms left, deadline 100 ms */
	/* At 95 ms: 8 / 5 > 10 / 100: using it would steal bandwidth. */
	assert_int_equal(dl_wakeup(&dl, 95 * MS), DL_EV_RUNNABLE);
	assert_int_equal(dl.deadline, 195 * MS);
	assert_int_equal(dl.runtime, 10 * MS);
}

static void test_wakeup_rule_keeps_deadline_when_budget_fits(void **state)
{
	struct dl_entity dl;

	(void)state;
	started(&dl, &p10of100, 0);
	dl_block(&dl, 8 * MS, 8 * MS); /* 2 ms left */
	/* At 20 ms: 2 / 80 <= 10 / 100: keep. At the boundary (equal) keep too. */
	assert_int_equal(dl_wakeup(&dl, 20 * MS), DL_EV_RUNNABLE);
	assert_int_equal(dl.deadline, 100 * MS);
	assert_int_equal(dl.runtime, 2 * MS);
	dl_block(&dl, 20 * MS, 0);
	assert_int_equal(dl_wakeup(&dl, 80 * MS), DL_EV_RUNNABLE); /* 2/20 == 10/100 */
	assert_int_equal(dl.deadline, 100 * MS);
	dl_block(&dl, 80 * MS, 0);
	assert_int_equal(dl_wakeup(&dl, 80 * MS + 1), DL_EV_RUNNABLE); /* just over */
	assert_int_equal(dl.deadline, 180 * MS + 1);
}

/* The cross-multiplied test near the limits: products need 128 bits. */
static void test_wakeup_rule_comparison_is_exact_for_large_values(void **state)
{
	struct dl_params p = { DL_PERIOD_MAX / 3, DL_PERIOD_MAX - 1, DL_PERIOD_MAX };
	struct dl_entity dl;
	uint64_t now = 1ull << 62;

	(void)state;
	for (int k = -2; k <= 2; k++) {
		uint64_t left;
		unsigned __int128 lhs, rhs;

		started(&dl, &p, now);
		/* Choose a remaining budget so the two sides are within a few units. */
		left = dl.deadline - (now + 1000);
		dl.runtime = (int64_t)(((unsigned __int128)left * p.runtime) / p.deadline) + k;
		lhs = (unsigned __int128)left * p.runtime;
		rhs = (unsigned __int128)(uint64_t)dl.runtime * p.deadline;
		dl.sleeping = true;
		dl_wakeup(&dl, now + 1000);
		if (lhs < rhs) /* overflow: constrained and in time -> revised rule */
			assert_true((uint64_t)dl.runtime <
				    (uint64_t)(((unsigned __int128)left * p.runtime) / p.deadline) + 1);
		else
			assert_int_equal(dl.deadline, now + p.deadline); /* kept */
	}
}

/* The example of Linux commit 3effcb4247e7: runtime 5 ms, deadline 7 ms,
 * period 1000 ms; run 1 ms, sleep 1 ms: 4 ms left with 5 ms of laxity is
 * denser than 5/7, so the budget is cut to 5/7 of the laxity, deadline kept. */
static void test_revised_rule_scales_runtime_for_constrained_task(void **state)
{
	struct dl_params p = { 5 * MS, 7 * MS, 1000 * MS };
	struct dl_entity dl;
	uint64_t density = (5 * MS << BW_SHIFT) / (7 * MS);

	(void)state;
	started(&dl, &p, 0);
	dl_block(&dl, 1 * MS, 1 * MS);
	assert_int_equal(dl_wakeup(&dl, 2 * MS), DL_EV_RUNNABLE);
	assert_int_equal(dl.deadline, 7 * MS);
	assert_int_equal(dl.runtime, (int64_t)((density * 5 * MS) >> BW_SHIFT));
	assert_in_range((uint64_t)dl.runtime, 3571000, 3571429); /* 25/7 ms */
	/* An implicit-deadline task in the same spot gets a new period instead. */
	started(&dl, &(struct dl_params){ 5 * MS, 7 * MS, 7 * MS }, 0);
	dl_block(&dl, 1 * MS, 1 * MS);
	dl_wakeup(&dl, 2 * MS);
	assert_int_equal(dl.deadline, 9 * MS);
	assert_int_equal(dl.runtime, 5 * MS);
}

static void test_constrained_wakeup_after_deadline_waits_for_next_period(void **state)
{
	struct dl_params p = { 2 * MS, 5 * MS, 20 * MS };
	struct dl_entity dl;

	(void)state;
	started(&dl, &p, 0);
	dl_block(&dl, 1 * MS, 1 * MS);
	/* Deadline 5 ms passed, next period starts at 20 ms. */
	assert_int_equal(dl_wakeup(&dl, 8 * MS), DL_EV_THROTTLED);
	assert_true(dl.throttled);
	assert_int_equal(dl_next_period(&dl), 20 * MS);
	assert_int_equal(dl_replenish(&dl, 20 * MS), DL_EV_REPLENISHED | DL_EV_RUNNABLE);
	assert_int_equal(dl.deadline, 25 * MS);
	assert_int_equal(dl.runtime, 2 * MS);
	assert_true(dl.job_active);
	assert_int_equal(dl.job_deadline, 25 * MS);
	/* Woken after the next period began: an ordinary new period. */
	dl_block(&dl, 21 * MS, 1 * MS);
	assert_int_equal(dl_wakeup(&dl, 41 * MS), DL_EV_RUNNABLE);
	assert_int_equal(dl.deadline, 46 * MS);
}

static void test_constrained_throttle_lasts_until_next_period_not_deadline(void **state)
{
	struct dl_entity dl;

	(void)state;
	started(&dl, &(struct dl_params){ 2 * MS, 5 * MS, 20 * MS }, 0);
	assert_int_equal(dl_charge(&dl, 2 * MS, 2 * MS), DL_EV_OVERRUN | DL_EV_THROTTLED);
	assert_int_equal(dl_next_period(&dl), 20 * MS); /* Linux start_dl_timer */
	dl_replenish(&dl, 20 * MS);
	assert_int_equal(dl.deadline, 25 * MS);
}

/* ---- jobs: yield (rst 4.4), block, overruns and misses */

static void test_yield_throttles_until_next_period_then_starts_new_job(void **state)
{
	struct dl_entity dl;

	(void)state;
	started(&dl, &p10of100, 0);
	assert_int_equal(dl_yield(&dl, 3 * MS, 3 * MS), DL_EV_THROTTLED);
	assert_true(dl.throttled);
	assert_int_equal(dl.runtime, 0); /* the 7 ms left are given up */
	assert_false(dl.job_active);
	/* the scheduler charges the yielder once more with no time used */
	assert_int_equal(dl_charge(&dl, 3 * MS, 0), 0);
	assert_int_equal(dl.nr_overruns, 0);
	assert_int_equal(dl_replenish(&dl, 100 * MS), DL_EV_REPLENISHED | DL_EV_RUNNABLE);
	assert_int_equal(dl.deadline, 200 * MS);
	assert_int_equal(dl.runtime, 10 * MS);
	assert_true(dl.job_active);
	assert_int_equal(dl.job_deadline, 200 * MS);
	assert_int_equal(dl.nr_overruns + dl.nr_misses, 0);
}

static void test_block_and_wake_while_throttled_waits_for_timer(void **state)
{
	struct dl_entity dl;

	(void)state;
	started(&dl, &p10of100, 0);
	dl_charge(&dl, 10 * MS, 10 * MS); /* throttled until 100 ms */
	/* Cannot block while throttled (not running); simulate the thread that
	 * blocked right as it was throttled: dl_block with runtime 0. */
	started(&dl, &p10of100, 0);
	assert_int_equal(dl_block(&dl, 10 * MS, 10 * MS), DL_EV_THROTTLED); /* exact: no overrun */
	assert_int_equal(dl.nr_overruns, 0);
	assert_int_equal(dl_wakeup(&dl, 50 * MS), 0); /* still throttled */
	assert_true(dl.throttled && !dl.sleeping);
	assert_int_equal(dl_replenish(&dl, 100 * MS), DL_EV_REPLENISHED | DL_EV_RUNNABLE);
	assert_int_equal(dl.job_deadline, 200 * MS); /* released at the replenishment */
	/* Replenished while still asleep: not runnable, no job. */
	dl_block(&dl, 110 * MS, 10 * MS);
	assert_int_equal(dl_replenish(&dl, 200 * MS), DL_EV_REPLENISHED);
	assert_false(dl.job_active);
}

static void test_exact_budget_use_is_not_an_overrun(void **state)
{
	struct dl_entity dl;

	(void)state;
	started(&dl, &p10of100, 0);
	assert_int_equal(dl_yield(&dl, 10 * MS, 10 * MS), DL_EV_THROTTLED);
	assert_int_equal(dl.nr_overruns, 0);
	dl_replenish(&dl, 100 * MS);
	assert_int_equal(dl_yield(&dl, 110 * MS + 1, 10 * MS + 1), DL_EV_OVERRUN | DL_EV_THROTTLED);
	assert_int_equal(dl.nr_overruns, 1);
}

static void test_deadline_miss_counted_once_when_job_ends_late(void **state)
{
	struct dl_entity dl;

	(void)state;
	/* Runs over 100 % on purpose (no admission here): 10/100 at deadline 100
	 * but first charged at 105 ms after a 5 ms slice. */
	started(&dl, &p10of100, 0);
	assert_int_equal(dl_charge(&dl, 100 * MS, 5 * MS), 0); /* at the deadline: on time */
	assert_int_equal(dl_charge(&dl, 101 * MS, 1 * MS), DL_EV_MISS);
	assert_int_equal(dl_charge(&dl, 102 * MS, 1 * MS), 0); /* once per job */
	assert_int_equal(dl_yield(&dl, 103 * MS, 1 * MS) & DL_EV_MISS, 0);
	assert_int_equal(dl.nr_misses, 1);
}

static void test_job_ending_exactly_at_deadline_is_not_a_miss(void **state)
{
	struct dl_entity dl;

	(void)state;
	started(&dl, &p10of100, 0);
	dl_charge(&dl, 99 * MS, 5 * MS);
	assert_int_equal(dl_block(&dl, 100 * MS, 1 * MS), 0);
	assert_int_equal(dl.nr_misses, 0);
	assert_int_equal(dl_wakeup(&dl, 150 * MS), DL_EV_RUNNABLE);
	assert_int_equal(dl_block(&dl, 250 * MS + 1, 1 * MS), DL_EV_MISS);
	assert_int_equal(dl.nr_misses, 1);
}

static void test_deadline_miss_counted_at_replenish_of_overrun_job(void **state)
{
	struct dl_entity dl;

	(void)state;
	started(&dl, &p10of100, 0);
	dl_charge(&dl, 10 * MS, 10 * MS); /* overrun, unfinished: throttled to 100 */
	assert_int_equal(dl.nr_misses, 0);
	assert_int_equal(dl_replenish(&dl, 100 * MS) & DL_EV_MISS, DL_EV_MISS);
	assert_int_equal(dl.nr_misses, 1);
	assert_int_equal(dl.nr_overruns, 1);
	/* The same (late) job continues; it is not counted again. */
	dl_charge(&dl, 110 * MS, 10 * MS);
	dl_replenish(&dl, 200 * MS);
	assert_int_equal(dl.nr_misses, 1);
	assert_int_equal(dl.nr_overruns, 2);
	assert_int_equal(dl_yield(&dl, 201 * MS, 1 * MS) & DL_EV_MISS, 0);
}

static void test_set_params_clips_budget_and_refreshes_sleeper(void **state)
{
	struct dl_entity dl;

	(void)state;
	started(&dl, &p10of100, 0);
	assert_int_equal(dl_set_params(&dl, &(struct dl_params){ 4 * MS, 50 * MS, 0 }), 0);
	assert_int_equal(dl.runtime, 4 * MS);
	assert_int_equal(dl.deadline, 100 * MS); /* current job keeps its deadline */
	assert_int_equal(dl.dl_bw, dl_to_ratio(50 * MS, 4 * MS));
	dl_block(&dl, 1 * MS, 1 * MS);
	dl_set_params(&dl, &p10of100);
	assert_true(dl.fresh);
	dl_wakeup(&dl, 2 * MS);
	assert_int_equal(dl.deadline, 102 * MS);
	assert_int_equal(dl.runtime, 10 * MS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params_rejects_invalid_and_leaves_entity_untouched),
		cmocka_unit_test(test_params_accepts_boundaries_and_period_zero_means_deadline),
		cmocka_unit_test(test_to_ratio_matches_linux_fixed_point),
		cmocka_unit_test(test_admission_accepts_up_to_bound_exactly),
		cmocka_unit_test(test_admission_rejects_over_bound_and_changes_nothing),
		cmocka_unit_test(test_admission_change_excludes_own_bandwidth),
		cmocka_unit_test(test_admission_rejects_invalid_params_with_einval),
		cmocka_unit_test(test_admission_bound_is_configurable),
		cmocka_unit_test(test_first_wakeup_starts_a_new_period),
		cmocka_unit_test(test_cbs_throttles_on_budget_exhaustion_until_deadline),
		cmocka_unit_test(test_charge_is_exact_across_many_small_deltas),
		cmocka_unit_test(test_replenish_adds_period_and_runtime),
		cmocka_unit_test(test_replenish_repeats_while_runtime_not_positive),
		cmocka_unit_test(test_replenish_lagging_deadline_starts_new_period),
		cmocka_unit_test(test_charge_past_next_period_replenishes_at_once),
		cmocka_unit_test(test_wakeup_rule_resets_stale_deadline),
		cmocka_unit_test(test_wakeup_rule_resets_when_budget_too_dense),
		cmocka_unit_test(test_wakeup_rule_keeps_deadline_when_budget_fits),
		cmocka_unit_test(test_wakeup_rule_comparison_is_exact_for_large_values),
		cmocka_unit_test(test_revised_rule_scales_runtime_for_constrained_task),
		cmocka_unit_test(test_constrained_wakeup_after_deadline_waits_for_next_period),
		cmocka_unit_test(test_constrained_throttle_lasts_until_next_period_not_deadline),
		cmocka_unit_test(test_yield_throttles_until_next_period_then_starts_new_job),
		cmocka_unit_test(test_block_and_wake_while_throttled_waits_for_timer),
		cmocka_unit_test(test_exact_budget_use_is_not_an_overrun),
		cmocka_unit_test(test_deadline_miss_counted_once_when_job_ends_late),
		cmocka_unit_test(test_job_ending_exactly_at_deadline_is_not_a_miss),
		cmocka_unit_test(test_deadline_miss_counted_at_replenish_of_overrun_job),
		cmocka_unit_test(test_set_params_clips_budget_and_refreshes_sleeper),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
