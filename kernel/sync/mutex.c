/*
 * Mutex with priority inheritance. The bookkeeping (who lends whom, through
 * chains, cycle refusal) is sched/pi.c; here the effective key is applied:
 * a fixed-priority owner runs at the best waiting priority; an owner of
 * either class that a deadline thread waits on runs with that thread's
 * deadline, ahead of later deadlines and unthrottled. The owner hands the
 * mutex straight to its best waiter at unlock (no barging), so a woken
 * waiter never finds it taken again.
 */
#include <errno.h>

#include <takt/sync.h>

#include "../thread_impl.h"
#include "sync_impl.h"

static struct tk_thread *owner_thread(struct pi_thread *p)
{
	return p ? container_of(p, struct tk_thread, pi) : 0;
}

/* The key a thread lends to owners: its class and current urgency. */
static struct pi_key own_key(const struct tk_thread *t)
{
	struct pi_key k = { t->se.cls, 0, 0 };

	if (t->se.cls == SCHED_CLASS_DL)
		k.deadline = t->se.dl.deadline;
	else
		k.prio = (uint8_t)t->sched.prio;
	return k;
}

/* Make t run with its effective key (own parameters or a boost). */
static void apply_eff(struct tk_thread *t)
{
	const struct pi_key *e = &t->pi.eff;
	bool lent_dl = e->cls == SCHED_CLASS_DL &&
		       !(t->se.cls == SCHED_CLASS_DL && e->deadline >= t->se.dl.deadline);

	sched_set_dl_boost(t, lent_dl ? e->deadline : 0);
	if (t->se.cls == SCHED_CLASS_FP)
		sched_set_fp_prio(t, e->cls == SCHED_CLASS_FP && e->prio > t->sched.prio ?
					     e->prio : t->sched.prio);
}

static void apply_chain(struct tk_thread *t)
{
	for (int depth = 0; t && depth <= PI_MAX_DEPTH; depth++) {
		apply_eff(t);
		t = t->pi.blocked_on ? owner_thread(t->pi.blocked_on->owner) : 0;
	}
}

static struct kmutex *get(struct tk_mutex *m)
{
	struct kmutex *k = (struct kmutex *)m;

	if (!m)
		return 0;
	if (k->magic == 0)	/* zero-initialised: set up on first use */
		tk_mutex_init(m, 0);
	return k->magic == MUTEX_MAGIC ? k : 0;
}

int tk_mutex_init(struct tk_mutex *m, unsigned flags)
{
	struct kmutex *k = (struct kmutex *)m;

	if (!m || (flags & ~TK_MUTEX_RECURSIVE))
		return -EINVAL;
	k->flags = flags;
	k->owner = 0;
	k->depth = 0;
	waitq_init(&k->waiters);
	pi_mutex_init(&k->pi);
	k->magic = MUTEX_MAGIC;
	return 0;
}

static void take(struct kmutex *k, struct tk_thread *t)
{
	k->owner = t;
	k->depth = 1;
	pi_acquire(&k->pi, &t->pi);
}

static int wait_for(struct kmutex *k, struct tk_thread *cur, uint64_t deadline)
{
	int err;

	struct pi_key key = own_key(cur);

	pi_set_base(&cur->pi, &key);	/* a deadline thread lends its current deadline */
	err = pi_block(&cur->pi, &k->pi);
	if (err)
		return err;
	apply_chain(k->owner);
	sched_help(k->owner, cur->cpu);	/* if preempted on its CPU, it runs on ours */
	err = sched_block(&k->waiters, deadline);
	if (err) {	/* timed out: take back what we lent */
		struct tk_thread *o = k->owner;

		pi_unblock(&cur->pi);
		apply_chain(o);
	}
	return err;
}

int tk_mutex_lock(struct tk_mutex *m, uint64_t deadline)
{
	unsigned long flags;
	struct kmutex *k;
	struct tk_thread *cur = sched_current;
	int err = 0;

	if (sched_in_irq() || !cur)
		return -EINVAL;
	flags = klock();
	k = get(m);
	if (!k)
		err = -EINVAL;
	else if (!k->owner)
		take(k, cur);
	else if (k->owner == cur && (k->flags & TK_MUTEX_RECURSIVE))
		k->depth++;
	else if (k->owner == cur)
		err = -EDEADLK;
	else
		err = wait_for(k, cur, deadline);	/* 0: unlock handed it to us */
	kunlock(flags);
	return err;
}

int mutex_unlock_locked(struct kmutex *k)
{
	struct tk_thread *cur = sched_current, *next;

	if (k->owner != cur)
		return -EPERM;
	if (--k->depth)
		return 0;
	pi_release(&k->pi);
	apply_eff(cur);		/* drop what the waiters lent */
	sched_help_done();	/* a helper goes home at its next switch */
	k->owner = 0;
	next = waitq_first(&k->waiters);
	if (next) {
		pi_unblock(&next->pi);
		take(k, next);
		apply_eff(next);
		sched_wake(next, 0);
	}
	return 0;
}

int tk_mutex_unlock(struct tk_mutex *m)
{
	unsigned long flags;
	struct kmutex *k;
	int err;

	if (sched_in_irq() || !sched_current)
		return -EINVAL;
	flags = klock();
	k = get(m);
	err = k ? mutex_unlock_locked(k) : -EINVAL;
	if (err == 0)
		sched_preempt_point();
	kunlock(flags);
	return err;
}

void mutex_init_if_zero(struct tk_mutex *m, unsigned flags)
{
	if (((struct kmutex *)m)->magic == 0)
		tk_mutex_init(m, flags);
}

bool mutex_owned_by_caller(struct tk_mutex *m)
{
	struct kmutex *k = get(m);

	return k && k->owner == sched_current;
}
