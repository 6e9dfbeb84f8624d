/* Fixed-priority queues with a priority bitmap (see fp.h). */
#include <errno.h>

#include "fp.h"

void fp_rq_init(struct fp_rq *rq)
{
	rq->bitmap[0] = rq->bitmap[1] = 0;
	for (int p = 0; p <= FP_PRIO_MAX; p++)
		list_init(&rq->q[p]);
}

static bool prio_valid(int prio)
{
	return prio >= FP_PRIO_MIN && prio <= FP_PRIO_MAX;
}

int fp_entity_init(struct fp_entity *e, int prio, uint64_t slice)
{
	if (!prio_valid(prio))
		return -EINVAL;
	list_init(&e->node);
	e->prio = (uint8_t)prio;
	e->queued = false;
	e->slice = slice;
	e->slice_left = (int64_t)slice;
	return 0;
}

static void unmark_if_empty(struct fp_rq *rq, int p)
{
	if (list_empty(&rq->q[p]))
		rq->bitmap[p / 64] &= ~(1ull << (p % 64));
}

void fp_enqueue_head(struct fp_rq *rq, struct fp_entity *e)
{
	list_add_head(&rq->q[e->prio], &e->node);
	fp_mark(rq, e->prio);
	e->queued = true;
}

void fp_dequeue(struct fp_rq *rq, struct fp_entity *e)
{
	list_del(&e->node);
	unmark_if_empty(rq, e->prio);
	e->queued = false;
}

int fp_set_prio(struct fp_rq *rq, struct fp_entity *e, int prio)
{
	bool queued = e->queued;

	if (!prio_valid(prio))
		return -EINVAL;
	if (queued)
		fp_dequeue(rq, e);
	e->prio = (uint8_t)prio;
	if (queued)
		fp_enqueue(rq, e);
	return 0;
}

bool fp_charge(struct fp_rq *rq, struct fp_entity *e, uint64_t delta)
{
	if (!e->slice)
		return false;
	e->slice_left -= (int64_t)delta;
	if (e->slice_left > 0)
		return false;
	/* POSIX SCHED_RR: a used-up quantum sends it to the tail, new quantum. */
	e->slice_left = (int64_t)e->slice;
	if (e->queued)
		fp_requeue_tail(rq, e);
	return true;
}
