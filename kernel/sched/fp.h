/*
 * Fixed-priority class: priorities 1..99 (higher runs first, POSIX
 * SCHED_FIFO / SCHED_RR), FIFO within a priority, optional round-robin.
 *
 *   bitmap  ...0 1 0 0 1 0    bit p set <=> q[p] non-empty
 *   q[99]   (empty)
 *   q[50]   A -> B -> C       head runs; a new arrival goes to the tail
 *   q[3]    D
 *
 * The highest non-empty priority is one count-leading-zeros away: O(1).
 * The running entity stays at the head of its queue, so a preempted thread
 * resumes first among its peers (POSIX: a preempted SCHED_FIFO thread goes
 * to the head of its list).
 */
#ifndef TAKT_SCHED_FP_H
#define TAKT_SCHED_FP_H

#include <stdbool.h>
#include <stdint.h>

#include "list.h"

#define FP_PRIO_MIN 1
#define FP_PRIO_MAX 99

struct fp_entity {
	struct list_node node;
	uint8_t prio;
	bool queued;
	uint64_t slice;     /* round-robin quantum in ns; 0 = FIFO, no slicing */
	int64_t slice_left; /* of the current quantum */
};

struct fp_rq {
	uint64_t bitmap[2];
	struct list_node q[FP_PRIO_MAX + 1];
};

void fp_rq_init(struct fp_rq *rq);

/* @retval 0, -EINVAL prio outside 1..99 (e untouched) */
int fp_entity_init(struct fp_entity *e, int prio, uint64_t slice);

/* Priority p's queue is non-empty. */
static inline void fp_mark(struct fp_rq *rq, int p)
{
	rq->bitmap[p / 64] |= 1ull << (p % 64);
}

/* Queue e (not queued) at the tail of its priority: a wake-up. Inline
 * (with fp_requeue_tail): every wake-up and yield of a FIFO thread. */
static inline void fp_enqueue(struct fp_rq *rq, struct fp_entity *e)
{
	list_add_tail(&rq->q[e->prio], &e->node);
	fp_mark(rq, e->prio);
	e->queued = true;
}
/* Queue e (not queued) at the head of its priority. */
void fp_enqueue_head(struct fp_rq *rq, struct fp_entity *e);
/* Unqueue e (queued): it blocks or leaves the class. */
void fp_dequeue(struct fp_rq *rq, struct fp_entity *e);
/* Move e (queued) to the tail of its priority: a yield, a used-up quantum. */
static inline void fp_requeue_tail(struct fp_rq *rq, struct fp_entity *e)
{
	list_del(&e->node);	/* its priority's queue stays non-empty */
	list_add_tail(&rq->q[e->prio], &e->node);
}
/* The head of the highest non-empty priority, NULL when empty. O(1);
 * inline: every decision asks it. */
static inline struct fp_entity *fp_pick(const struct fp_rq *rq)
{
	int p;

	if (rq->bitmap[1])
		p = 64 + 63 - __builtin_clzll(rq->bitmap[1]);
	else if (rq->bitmap[0])
		p = 63 - __builtin_clzll(rq->bitmap[0]);
	else
		return NULL;
	return container_of(rq->q[p].next, struct fp_entity, node);
}

/* Change e's priority; a queued e goes to the tail of its new priority
 * (POSIX sched_setparam). @retval 0, -EINVAL (unchanged) */
int fp_set_prio(struct fp_rq *rq, struct fp_entity *e, int prio);

/* Charge the running e for delta ns. Round-robin: when its quantum runs
 * out it gets a new one and moves to the tail of its priority.
 * @retval true it was moved (reschedule), false otherwise (always for FIFO) */
bool fp_charge(struct fp_rq *rq, struct fp_entity *e, uint64_t delta);

#endif /* TAKT_SCHED_FP_H */
