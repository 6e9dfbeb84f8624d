/*
 * kernel/sched/fp.c and rq.c: fixed-priority queues (bitmap, FIFO, round
 * robin), class ordering and pick, the preemption rule, and the glue that
 * keeps the EDF ready tree and the replenishment timers in step with CBS.
 */
#include "sched_test.h"

#include "sched/fp.h"
#include "sched/rq.h"

static struct sched_entity se[8];

static struct sched_entity *fp_se(int i, int prio, uint64_t slice)
{
	memset(&se[i], 0, sizeof(se[i]));
	se[i].cls = SCHED_CLASS_FP;
	assert_int_equal(fp_entity_init(&se[i].fp, prio, slice), 0);
	return &se[i];
}

static struct sched_entity *dl_se(struct rq *rq, int i, uint64_t runtime, uint64_t period)
{
	struct dl_params p = { runtime, period, period };

	memset(&se[i], 0, sizeof(se[i]));
	assert_int_equal(rq_dl_attach(rq, &se[i], &p), 0);
	return &se[i];
}

/* ---- fixed priority */

static void test_fifo_same_priority_keeps_order(void **state)
{
	struct fp_rq rq;

	(void)state;
	fp_rq_init(&rq);
	for (int i = 0; i < 4; i++)
		fp_enqueue(&rq, &fp_se(i, 10, 0)->fp);
	for (int i = 0; i < 4; i++) {
		assert_ptr_equal(fp_pick(&rq), &se[i].fp);
		fp_dequeue(&rq, &se[i].fp);
	}
	assert_null(fp_pick(&rq));
}

static void test_fp_pick_finds_highest_priority_in_either_bitmap_word(void **state)
{
	static const int prio[] = { 1, 63, 64, 99, 50 };
	struct fp_rq rq;

	(void)state;
	fp_rq_init(&rq);
	for (int i = 0; i < 5; i++)
		fp_enqueue(&rq, &fp_se(i, prio[i], 0)->fp);
	assert_ptr_equal(fp_pick(&rq), &se[3].fp); /* 99 */
	fp_dequeue(&rq, &se[3].fp);
	assert_ptr_equal(fp_pick(&rq), &se[2].fp); /* 64 */
	fp_dequeue(&rq, &se[2].fp);
	assert_ptr_equal(fp_pick(&rq), &se[1].fp); /* 63 */
	fp_dequeue(&rq, &se[1].fp);
	assert_ptr_equal(fp_pick(&rq), &se[4].fp); /* 50 */
	fp_dequeue(&rq, &se[4].fp);
	assert_ptr_equal(fp_pick(&rq), &se[0].fp); /* 1 */
	fp_dequeue(&rq, &se[0].fp);
	assert_int_equal(rq.bitmap[0] | rq.bitmap[1], 0);
}

static void test_fp_rejects_invalid_priority_and_changes_nothing(void **state)
{
	struct fp_rq rq;
	struct fp_entity e = { .prio = 7 };

	(void)state;
	fp_rq_init(&rq);
	assert_int_equal(fp_entity_init(&e, 0, 0), -EINVAL);
	assert_int_equal(fp_entity_init(&e, 100, 0), -EINVAL);
	assert_int_equal(e.prio, 7);
	fp_enqueue(&rq, &fp_se(0, 20, 0)->fp);
	assert_int_equal(fp_set_prio(&rq, &se[0].fp, 100), -EINVAL);
	assert_int_equal(fp_set_prio(&rq, &se[0].fp, -1), -EINVAL);
	assert_int_equal(se[0].fp.prio, 20);
	assert_ptr_equal(fp_pick(&rq), &se[0].fp);
}

static void test_fp_set_prio_moves_to_tail_of_new_level(void **state)
{
	struct fp_rq rq;

	(void)state;
	fp_rq_init(&rq);
	fp_enqueue(&rq, &fp_se(0, 30, 0)->fp);
	fp_enqueue(&rq, &fp_se(1, 20, 0)->fp);
	assert_int_equal(fp_set_prio(&rq, &se[1].fp, 30), 0);
	assert_ptr_equal(fp_pick(&rq), &se[0].fp); /* behind the one already there */
	assert_int_equal(fp_set_prio(&rq, &se[0].fp, 10), 0);
	assert_ptr_equal(fp_pick(&rq), &se[1].fp);
	assert_int_equal(rq.bitmap[0], (1ull << 30) | (1ull << 10));
}

static void test_rr_slice_expiry_moves_to_tail(void **state)
{
	struct fp_rq rq;

	(void)state;
	fp_rq_init(&rq);
	fp_enqueue(&rq, &fp_se(0, 10, 1 * MS)->fp);
	fp_enqueue(&rq, &fp_se(1, 10, 1 * MS)->fp);
	assert_false(fp_charge(&rq, &se[0].fp, 600 * US));
	assert_ptr_equal(fp_pick(&rq), &se[0].fp);
	assert_true(fp_charge(&rq, &se[0].fp, 400 * US)); /* quantum used up */
	assert_ptr_equal(fp_pick(&rq), &se[1].fp);
	assert_int_equal(se[0].fp.slice_left, 1 * MS); /* fresh quantum */
}

static void test_fifo_thread_is_never_sliced(void **state)
{
	struct fp_rq rq;

	(void)state;
	fp_rq_init(&rq);
	fp_enqueue(&rq, &fp_se(0, 10, 0)->fp);
	fp_enqueue(&rq, &fp_se(1, 10, 0)->fp);
	assert_false(fp_charge(&rq, &se[0].fp, 1000 * MS));
	assert_ptr_equal(fp_pick(&rq), &se[0].fp);
}

static void test_preempted_fifo_thread_resumes_first_among_peers(void **state)
{
	struct rq rq;

	(void)state;
	rq_init(&rq);
	rq_fp_wakeup(&rq, fp_se(0, 10, 0));
	rq_fp_wakeup(&rq, fp_se(1, 10, 0));
	assert_ptr_equal(rq_pick(&rq), &se[0]); /* runs */
	rq_fp_wakeup(&rq, fp_se(2, 50, 0));
	assert_true(sched_preempt_check(&se[0], &se[2]));
	assert_ptr_equal(rq_pick(&rq), &se[2]);
	rq_fp_block(&rq, &se[2]);
	assert_ptr_equal(rq_pick(&rq), &se[0]); /* still head of prio 10 */
}

/* ---- class ordering and pick */

static void test_pick_orders_deadline_over_fixed_priority_over_idle(void **state)
{
	struct rq rq;

	(void)state;
	rq_init(&rq);
	assert_null(rq_pick(&rq)); /* idle */
	rq_fp_wakeup(&rq, fp_se(0, 99, 0));
	assert_ptr_equal(rq_pick(&rq), &se[0]);
	dl_se(&rq, 1, 1 * MS, 1000 * MS);
	assert_int_equal(rq_dl_wakeup(&rq, &se[1], 0), DL_EV_RUNNABLE);
	assert_ptr_equal(rq_pick(&rq), &se[1]); /* any deadline beats prio 99 */
	assert_true(sched_preempt_check(&se[0], &se[1]));
	assert_false(sched_preempt_check(&se[1], &se[0]));
	assert_true(sched_preempt_check(NULL, &se[0]));
	assert_false(sched_preempt_check(&se[0], NULL));
}

static void test_pick_is_earliest_deadline_with_fifo_ties(void **state)
{
	struct rq rq;

	(void)state;
	rq_init(&rq);
	dl_se(&rq, 0, 1 * MS, 30 * MS);
	dl_se(&rq, 1, 1 * MS, 20 * MS);
	dl_se(&rq, 2, 1 * MS, 20 * MS);
	rq_dl_wakeup(&rq, &se[0], 0);
	rq_dl_wakeup(&rq, &se[1], 0);
	rq_dl_wakeup(&rq, &se[2], 0);
	assert_ptr_equal(rq_pick(&rq), &se[1]); /* deadline 20, first queued */
	assert_false(sched_preempt_check(&se[1], &se[2])); /* equal: no preemption */
	assert_true(sched_preempt_check(&se[0], &se[2]));
	rq_dl_block(&rq, &se[1], 1 * MS, 1 * MS);
	assert_ptr_equal(rq_pick(&rq), &se[2]);
	rq_dl_block(&rq, &se[2], 2 * MS, 1 * MS);
	assert_ptr_equal(rq_pick(&rq), &se[0]);
}

static void test_rq_throttled_entity_leaves_ready_tree_until_its_timer(void **state)
{
	struct rq rq;
	struct sched_entity *got;
	unsigned ev;

	(void)state;
	rq_init(&rq);
	dl_se(&rq, 0, 2 * MS, 10 * MS);
	rq_fp_wakeup(&rq, fp_se(1, 5, 0));
	rq_dl_wakeup(&rq, &se[0], 0);
	assert_int_equal(rq_next_event(&rq, &se[0], 0), 2 * MS); /* budget end */
	ev = rq_dl_charge(&rq, &se[0], 2 * MS, 2 * MS);
	assert_int_equal(ev, DL_EV_OVERRUN | DL_EV_THROTTLED);
	assert_ptr_equal(rq_pick(&rq), &se[1]); /* the FP thread fills the gap */
	assert_int_equal(rq_next_event(&rq, &se[1], 2 * MS), 10 * MS);
	assert_null(rq_dl_expire(&rq, 9 * MS, &ev));
	got = rq_dl_expire(&rq, 10 * MS, &ev);
	assert_ptr_equal(got, &se[0]);
	assert_int_equal(ev & (DL_EV_REPLENISHED | DL_EV_RUNNABLE),
			 DL_EV_REPLENISHED | DL_EV_RUNNABLE);
	assert_ptr_equal(rq_pick(&rq), &se[0]);
	assert_int_equal(rb_first(&rq.dl_ready)->key, 20 * MS);
	assert_null(rq_dl_expire(&rq, 10 * MS, &ev));
}

static void test_rq_yield_requeues_at_next_period_with_new_deadline(void **state)
{
	struct rq rq;
	unsigned ev;

	(void)state;
	rq_init(&rq);
	dl_se(&rq, 0, 2 * MS, 10 * MS);
	dl_se(&rq, 1, 2 * MS, 15 * MS);
	rq_dl_wakeup(&rq, &se[0], 0);
	rq_dl_wakeup(&rq, &se[1], 0);
	assert_int_equal(rq_dl_yield(&rq, &se[0], 1 * MS, 1 * MS), DL_EV_THROTTLED);
	assert_ptr_equal(rq_pick(&rq), &se[1]);
	rq_dl_yield(&rq, &se[1], 2 * MS, 1 * MS);
	assert_null(rq_pick(&rq));
	assert_int_equal(timerq_earliest(&rq.dl_timers), 10 * MS);
	assert_ptr_equal(rq_dl_expire(&rq, 15 * MS, &ev), &se[0]);
	assert_ptr_equal(rq_dl_expire(&rq, 15 * MS, &ev), &se[1]);
	assert_ptr_equal(rq_pick(&rq), &se[0]); /* deadline 20 vs 30 */
}

static void test_rq_attach_rejected_changes_nothing(void **state)
{
	struct rq rq, before;
	struct dl_params big = { 60 * MS, 100 * MS, 0 };

	(void)state;
	rq_init(&rq);
	dl_se(&rq, 0, 50 * MS, 100 * MS);
	memcpy(&before, &rq, sizeof(rq));
	memset(&se[1], 0xa5, sizeof(se[1]));
	assert_int_equal(rq_dl_attach(&rq, &se[1], &big), -EBUSY);
	assert_int_equal(rq_dl_attach(&rq, &se[1], &(struct dl_params){ 0, 1, 0 }), -EINVAL);
	assert_int_equal(rq_dl_change(&rq, &se[0], &big), 0); /* its own 50 % given back */
	assert_int_equal(rq_dl_change(&rq, &se[0], &(struct dl_params){ 99 * MS, 100 * MS, 0 }),
			 -EBUSY);
	assert_int_equal(se[0].dl.dl_runtime, 60 * MS);
	rq_dl_detach(&rq, &se[0]);
	assert_int_equal(rq.bw.total_bw, before.bw.total_bw - dl_to_ratio(100 * MS, 50 * MS));
	assert_int_equal(se[1].dl.dl_runtime, 0xa5a5a5a5a5a5a5a5ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo_same_priority_keeps_order),
		cmocka_unit_test(test_fp_pick_finds_highest_priority_in_either_bitmap_word),
		cmocka_unit_test(test_fp_rejects_invalid_priority_and_changes_nothing),
		cmocka_unit_test(test_fp_set_prio_moves_to_tail_of_new_level),
		cmocka_unit_test(test_rr_slice_expiry_moves_to_tail),
		cmocka_unit_test(test_fifo_thread_is_never_sliced),
		cmocka_unit_test(test_preempted_fifo_thread_resumes_first_among_peers),
		cmocka_unit_test(test_pick_orders_deadline_over_fixed_priority_over_idle),
		cmocka_unit_test(test_pick_is_earliest_deadline_with_fifo_ties),
		cmocka_unit_test(test_rq_throttled_entity_leaves_ready_tree_until_its_timer),
		cmocka_unit_test(test_rq_yield_requeues_at_next_period_with_new_deadline),
		cmocka_unit_test(test_rq_attach_rejected_changes_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
