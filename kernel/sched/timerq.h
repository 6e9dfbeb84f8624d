/*
 * Timer queue: pending one-shot timeouts ordered by expiry (absolute ns).
 *
 * The kernel is tickless (DESIGN.md section 4): it programs the one hardware
 * one-shot timer to min(timerq_earliest(), the running thread's budget end)
 * and, in the interrupt, pops every expired timeout. Timeouts with equal
 * expiry pop in the order they were armed.
 *
 * Add/cancel O(log n), earliest O(1). The caller owns the timeouts and
 * serializes calls (interrupts off on one CPU).
 */
#ifndef TAKT_SCHED_TIMERQ_H
#define TAKT_SCHED_TIMERQ_H

#include <stdbool.h>
#include <stdint.h>

#include "list.h"
#include "rbtree.h"

#define TIMERQ_NEVER UINT64_MAX

struct timeout {
	struct rb_node node;
	uint64_t expiry; /* absolute ns; valid while pending */
};

struct timerq {
	struct rb_tree tree;
};

void timerq_init(struct timerq *q);
void timeout_init(struct timeout *t);

static inline bool timeout_pending(const struct timeout *t)
{
	return rb_linked(&t->node);
}

/* Arm t to expire at expiry; a pending t is moved (re-armed). */
void timerq_add(struct timerq *q, struct timeout *t, uint64_t expiry);
/* Disarm t. @retval true it was pending, false it was not (no change).
 * Inline: a woken sleeper's timeout was mostly popped already. */
static inline bool timerq_cancel(struct timerq *q, struct timeout *t)
{
	if (!timeout_pending(t))
		return false;
	rb_erase(&q->tree, &t->node);
	return true;
}
/* Expiry of the earliest pending timeout, TIMERQ_NEVER when none. O(1);
 * inline: every decision asks it. */
static inline uint64_t timerq_earliest(const struct timerq *q)
{
	const struct rb_node *n = rb_first(&q->tree);

	return n ? n->key : TIMERQ_NEVER;
}
/* Remove and return one timeout with expiry <= now (the earliest), or NULL.
 * Call in a loop from the timer interrupt. Inline: the last call of every
 * loop finds none, and that answer is two loads. */
static inline struct timeout *timerq_pop_expired(struct timerq *q, uint64_t now)
{
	struct rb_node *n = rb_first(&q->tree);

	if (!n || n->key > now)
		return 0;
	return container_of(rb_erase_first(&q->tree), struct timeout, node);
}

#endif /* TAKT_SCHED_TIMERQ_H */
