/*
 * Priority inheritance bookkeeping for mutexes (DESIGN.md section 4: the
 * holder runs with the earliest deadline, or highest priority, of its
 * waiters). Pure: the caller embeds pi_thread in each thread and pi_mutex in
 * each mutex and calls these with interrupts off; they compute effective
 * scheduling keys and never touch a run queue. After a call the kernel
 * re-queues every thread whose eff changed (the chain walked is short).
 *
 *   T3 --waits--> M2 --owned by--> T2 --waits--> M1 --owned by--> T1
 *   eff(T1) = max(base(T1), eff(T2)),  eff(T2) = max(base(T2), eff(T3))
 *
 * "max" is pi_key_before: any deadline key beats any fixed-priority key,
 * an earlier absolute deadline beats a later one, a higher priority a lower.
 *
 * Each blocked thread waits on one mutex, each mutex has at most one owner,
 * so the chain from a thread is a path; blocking that would close it into a
 * cycle is refused with -EDEADLK. Cost: a walk up the chain, stopping at the
 * first owner whose key does not change, each step scanning the waiters of
 * that owner's held mutexes (Linux keeps those in trees; with a handful of
 * waiters a list is cheaper).
 */
#ifndef TAKT_SCHED_PI_H
#define TAKT_SCHED_PI_H

#include <stdbool.h>
#include <stdint.h>

#include "list.h"
#include "sched_class.h"

/* Longest owner chain pi_block walks looking for a cycle; a longer one is
 * refused as -EDEADLK (as Linux max_lock_depth). */
#define PI_MAX_DEPTH 32

/* A scheduling key: class, then deadline (DL) or priority (FP). */
struct pi_key {
	enum sched_class cls;
	uint8_t prio;      /* FP: 1..99 */
	uint64_t deadline; /* DL: absolute scheduling deadline */
};

struct pi_mutex;

struct pi_thread {
	struct pi_key base;          /* its own parameters */
	struct pi_key eff;           /* max of base and its waiters' eff */
	struct pi_mutex *blocked_on; /* NULL when not waiting */
	struct list_node wait_node;  /* in blocked_on->waiters */
	struct list_node held;       /* the mutexes it owns */
};

struct pi_mutex {
	struct pi_thread *owner; /* NULL when free */
	struct list_node waiters;
	struct list_node held_node; /* in owner->held */
};

/* a runs before b (strictly). */
bool pi_key_before(const struct pi_key *a, const struct pi_key *b);

void pi_thread_init(struct pi_thread *t, const struct pi_key *base);
void pi_mutex_init(struct pi_mutex *m);

/* t (running, so not blocked) takes the free mutex m.
 * @retval 0, -EBUSY m has an owner, -EINVAL t is blocked (unchanged) */
int pi_acquire(struct pi_mutex *m, struct pi_thread *t);

/* The owner drops m (the kernel then hands it to a waiter with pi_unblock +
 * pi_acquire); the owner loses what m's waiters lent it. */
void pi_release(struct pi_mutex *m);

/* t starts waiting on m and lends its key up the owner chain.
 * @retval 0; -EDEADLK m's owner chain leads back to t or is longer than
 *         PI_MAX_DEPTH; -EINVAL t already waits, m has no owner, or t owns m
 *         (all: nothing changed) */
int pi_block(struct pi_thread *t, struct pi_mutex *m);

/* Name t as m's owner for the bookkeeping (releasing a stale owner first),
 * whatever t waits on itself: a mutex taken without the bookkeeping (the
 * uncontended fast path) gets it when its first waiter comes. */
void pi_adopt(struct pi_mutex *m, struct pi_thread *t);

/* t stops waiting (it got the mutex, or timed out): the chain above it
 * gives back what t lent. No-op if t is not waiting. */
void pi_unblock(struct pi_thread *t);

/* t's own parameters changed (sched_setattr, a DL replenishment moved its
 * deadline): recompute t and the chain above it. */
void pi_set_base(struct pi_thread *t, const struct pi_key *base);

/* The thread whose key is t's effective one: t itself or one of the waiters
 * it inherits from (for a kernel that runs the owner with the donor's DL
 * parameters, as Linux's pi_se). Follows the best waiter down, depth-bounded. */
const struct pi_thread *pi_donor(const struct pi_thread *t);

#endif /* TAKT_SCHED_PI_H */
