/* Run queue: class ordering, pick, and the DL queue/timer glue (see rq.h). */
#include "rq.h"
#include "list.h"

void rq_init(struct rq *rq)
{
	rb_init(&rq->dl_ready);
	fp_rq_init(&rq->fp);
	timerq_init(&rq->dl_timers);
	dl_bw_init(&rq->bw);
}

/* Make the tree and the timer agree with the CBS state: runnable entities
 * are in the tree under their current deadline, throttled ones have their
 * timer armed at the next period. */
static void dl_sync(struct rq *rq, struct dl_entity *dl)
{
	bool runnable = !dl->throttled && !dl->sleeping;

	if (rb_linked(&dl->node) && (!runnable || dl->node.key != dl->deadline))
		rb_erase(&rq->dl_ready, &dl->node);
	if (runnable && !rb_linked(&dl->node))
		rb_insert(&rq->dl_ready, &dl->node, dl->deadline);
	if (!dl->throttled)
		timerq_cancel(&rq->dl_timers, &dl->timer);
	else if (!timeout_pending(&dl->timer))
		timerq_add(&rq->dl_timers, &dl->timer, dl_next_period(dl));
}

static struct dl_params params_of(const struct dl_entity *dl)
{
	struct dl_params p = { dl->dl_runtime, dl->dl_deadline, dl->dl_period };

	return p;
}

/* The kernel's placement (kernel/sched/place.c) admits on every CPU at
 * once; these per-rq checks serve a single run queue (host tests). */
int rq_dl_attach(struct rq *rq, struct sched_entity *se, const struct dl_params *p)
{
	int err = dl_bw_admit(&rq->bw, p);

	if (err)
		return err;
	rq_dl_init(se, p); /* cannot fail: dl_bw_admit checked p */
	return 0;
}

int rq_dl_init(struct sched_entity *se, const struct dl_params *p)
{
	int err = dl_init(&se->dl, p);

	if (!err)
		se->cls = SCHED_CLASS_DL;
	return err;
}

int rq_dl_change(struct rq *rq, struct sched_entity *se, const struct dl_params *p)
{
	struct dl_params old = params_of(&se->dl);
	int err = dl_bw_change(&rq->bw, &old, p);

	if (err)
		return err;
	return rq_dl_set_params(rq, se, p);
}

int rq_dl_set_params(struct rq *rq, struct sched_entity *se, const struct dl_params *p)
{
	int err = dl_set_params(&se->dl, p);

	if (err)
		return err;
	if (se->dl.throttled) /* the next period moved with the period */
		timerq_add(&rq->dl_timers, &se->dl.timer, dl_next_period(&se->dl));
	dl_sync(rq, &se->dl);
	return 0;
}

void rq_dl_leave(struct rq *rq, struct sched_entity *se)
{
	if (rb_linked(&se->dl.node))
		rb_erase(&rq->dl_ready, &se->dl.node);
	timerq_cancel(&rq->dl_timers, &se->dl.timer);
}

void rq_dl_detach(struct rq *rq, struct sched_entity *se)
{
	struct dl_params p = params_of(&se->dl);

	rq_dl_leave(rq, se);
	dl_bw_release(&rq->bw, &p);
	se->cls = SCHED_CLASS_IDLE;
}

unsigned rq_dl_wakeup(struct rq *rq, struct sched_entity *se, uint64_t now)
{
	unsigned ev = dl_wakeup(&se->dl, now);

	dl_sync(rq, &se->dl);
	return ev;
}

unsigned rq_dl_charge(struct rq *rq, struct sched_entity *se, uint64_t now, uint64_t delta)
{
	unsigned ev = dl_charge(&se->dl, now, delta);

	dl_sync(rq, &se->dl);
	return ev;
}

unsigned rq_dl_yield(struct rq *rq, struct sched_entity *se, uint64_t now, uint64_t delta)
{
	unsigned ev = dl_yield(&se->dl, now, delta);

	dl_sync(rq, &se->dl);
	return ev;
}

unsigned rq_dl_block(struct rq *rq, struct sched_entity *se, uint64_t now, uint64_t delta)
{
	unsigned ev = dl_block(&se->dl, now, delta);

	dl_sync(rq, &se->dl);
	return ev;
}

struct sched_entity *rq_dl_expire_due(struct rq *rq, uint64_t now, unsigned *ev)
{
	struct timeout *t = timerq_pop_expired(&rq->dl_timers, now);
	struct sched_entity *se;

	if (!t)
		return NULL;
	se = container_of(t, struct sched_entity, dl.timer);
	*ev = dl_replenish(&se->dl, now);
	dl_sync(rq, &se->dl);
	return se;
}


bool rq_fp_charge(struct rq *rq, struct sched_entity *se, uint64_t delta)
{
	return fp_charge(&rq->fp, &se->fp, delta);
}
