/*
 * Per-CPU run queue: the three classes side by side, and the glue that keeps
 * the EDF ready tree and the replenishment timers in step with the CBS state
 * of dl.c. Single core first; one rq per CPU makes partitioned EDF on SMP an
 * extension (DESIGN.md section 4).
 *
 *   rq_pick:  dl_ready (leftmost = earliest deadline)   -> run it
 *             else fp (highest priority, FIFO head)      -> run it
 *             else NULL                                  -> idle (wfi/hlt)
 *
 * The running entity stays queued (as in Linux): pick after any change is
 * just rq_pick, and preemption on a wake-up is sched_preempt_check.
 *
 * What the kernel calls, with interrupts off, now = the monotonic clock:
 *   thread gets DL params   rq_dl_attach / rq_dl_change / rq_dl_detach
 *   thread wakes            rq_dl_wakeup  (FP: rq_fp_wakeup), then
 *                           sched_preempt_check(curr, woken)
 *   context switch / timer  rq_dl_charge(curr, now, now - last) for the time
 *     interrupt / any exit  the current thread ran (FP: rq_fp_charge)
 *   replenishment timer     while (se = rq_dl_expire(rq, now, &ev)) ...
 *   job end (sched_yield)   rq_dl_yield(curr, now, delta)
 *   thread blocks           rq_dl_block(curr, now, delta) (FP: rq_fp_block)
 *   program the one-shot    rq_next_event(rq, curr, now)
 * then rq_pick. Every rq_dl_* returns dl.h's DL_EV_* bits (OVERRUN and MISS
 * are for the per-thread handler; the queues are already updated).
 */
#ifndef TAKT_SCHED_RQ_H
#define TAKT_SCHED_RQ_H

#include <stdbool.h>
#include <stdint.h>

#include "dl.h"
#include "dl_bw.h"
#include "fp.h"
#include "rbtree.h"
#include "sched_class.h"
#include "timerq.h"

/* Embedded in each thread. cls selects which of dl / fp is live. */
struct sched_entity {
	enum sched_class cls;
	struct dl_entity dl;
	struct fp_entity fp;
};

struct rq {
	struct rb_tree dl_ready;  /* runnable DL entities by deadline */
	struct fp_rq fp;          /* runnable FP entities */
	struct timerq dl_timers;  /* replenishment timers of throttled DL entities */
	struct dl_bw bw;          /* admission control */
};

void rq_init(struct rq *rq);

/* Next to run: earliest deadline, else highest priority; NULL = idle. O(1);
 * inline: every decision asks it. */
static inline struct sched_entity *rq_pick(const struct rq *rq)
{
	struct rb_node *n = rb_first(&rq->dl_ready);
	struct fp_entity *f;

	if (n)
		return container_of(n, struct sched_entity, dl.node);
	f = fp_pick(&rq->fp);
	return f ? container_of(f, struct sched_entity, fp) : NULL;
}

/* Inline: every wake-up asks. a runs before b: higher class; within DL an earlier deadline; within FP a
 * higher priority. Equal keys do not order (FIFO decides, in the queues). */
static inline bool sched_entity_before(const struct sched_entity *a, const struct sched_entity *b)
{
	if (a->cls != b->cls)
		return a->cls > b->cls;
	if (a->cls == SCHED_CLASS_DL)
		return a->dl.deadline < b->dl.deadline;
	if (a->cls == SCHED_CLASS_FP)
		return a->fp.prio > b->fp.prio;
	return false;
}

/* Does the just-woken entity preempt the running one (NULL = idle)? Only a
 * strictly earlier deadline / higher class / higher priority preempts: an
 * equal one queues behind (FIFO), as in Linux dl_entity_preempt. */
static inline bool sched_preempt_check(const struct sched_entity *curr, const struct sched_entity *woken)
{
	if (!woken)
		return false;
	if (!curr)
		return woken->cls != SCHED_CLASS_IDLE;
	return sched_entity_before(woken, curr);
}

/* The earliest moment the one-shot timer must fire: the first pending
 * replenishment, or the running DL entity's budget end. TIMERQ_NEVER if none.
 * The kernel takes the min with its own timeouts (sleeps). */
static inline uint64_t rq_next_event(const struct rq *rq, const struct sched_entity *curr,
				     uint64_t now)
{
	uint64_t t = timerq_earliest(&rq->dl_timers);

	if (curr && curr->cls == SCHED_CLASS_DL && curr->dl.runtime > 0 &&
	    now + (uint64_t)curr->dl.runtime < t)
		t = now + (uint64_t)curr->dl.runtime;
	return t;
}

/* Make se a DL entity with parameters p, after admission control; it
 * starts sleeping. @retval 0, -EINVAL, -EBUSY (se and rq unchanged) */
int rq_dl_attach(struct rq *rq, struct sched_entity *se, const struct dl_params *p);
/* New parameters for a DL entity. @retval 0, -EINVAL, -EBUSY (unchanged) */
int rq_dl_change(struct rq *rq, struct sched_entity *se, const struct dl_params *p);
/* se leaves the DL class: unqueued, timer cancelled, bandwidth released. */
void rq_dl_detach(struct rq *rq, struct sched_entity *se);
/* The same without this rq's admission (the kernel admits across CPUs,
 * kernel/sched/place.c): make se a sleeping DL entity; new parameters
 * (dl_set_params, queues kept in step); off this rq's tree and timers (se
 * stays DL: it leaves for another CPU or the caller changes its class). */
int rq_dl_init(struct sched_entity *se, const struct dl_params *p);
int rq_dl_set_params(struct rq *rq, struct sched_entity *se, const struct dl_params *p);
void rq_dl_leave(struct rq *rq, struct sched_entity *se);

unsigned rq_dl_wakeup(struct rq *rq, struct sched_entity *se, uint64_t now);
unsigned rq_dl_charge(struct rq *rq, struct sched_entity *se, uint64_t now, uint64_t delta);
unsigned rq_dl_yield(struct rq *rq, struct sched_entity *se, uint64_t now, uint64_t delta);
unsigned rq_dl_block(struct rq *rq, struct sched_entity *se, uint64_t now, uint64_t delta);
/* Pop one expired replenishment timer and replenish its entity (enqueued if
 * runnable). @retval the entity, *ev its DL_EV_* bits; NULL when none is due */
struct sched_entity *rq_dl_expire_due(struct rq *rq, uint64_t now, unsigned *ev);
static inline struct sched_entity *rq_dl_expire(struct rq *rq, uint64_t now, unsigned *ev)
{
	/* inline: every timer interrupt asks, and mostly none is due */
	return timerq_earliest(&rq->dl_timers) > now ? 0 : rq_dl_expire_due(rq, now, ev);
}

/* Fixed priority: se->fp initialized with fp_entity_init, cls = FP. Inline:
 * each is one call of fp.c, on the wake-up and switch paths. */
static inline void rq_fp_wakeup(struct rq *rq, struct sched_entity *se)
{
	fp_enqueue(&rq->fp, &se->fp);
}

static inline void rq_fp_block(struct rq *rq, struct sched_entity *se)
{
	fp_dequeue(&rq->fp, &se->fp);
}

/* se (queued) to the tail of its priority: sched_yield */
static inline void rq_fp_yield(struct rq *rq, struct sched_entity *se)
{
	fp_requeue_tail(&rq->fp, &se->fp);
}
/* @retval true round-robin moved it to the tail: reschedule */
bool rq_fp_charge(struct rq *rq, struct sched_entity *se, uint64_t delta);

#endif /* TAKT_SCHED_RQ_H */
