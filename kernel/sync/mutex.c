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

/* The owner word: the owning thread, with WAITERS set once a thread has
 * queued for it. Free and uncontended mutexes are taken and given back with
 * one compare-and-swap each, without klock (newlib's malloc and stdio locks
 * are of this kind); a waiter sets WAITERS under klock, so the owner's
 * unlock fails its swap and takes the slow path, which hands the mutex over.
 * The PI bookkeeping (k->pi) names an owner only while waiters lend to it. */
#define WAITERS ((uintptr_t)1)

static struct tk_thread *owner_of(uintptr_t w)
{
	return (struct tk_thread *)(w & ~WAITERS);
}

static uintptr_t word(const struct kmutex *k)
{
	return __atomic_load_n(&k->word, __ATOMIC_ACQUIRE);
}

static bool swap(struct kmutex *k, uintptr_t from, uintptr_t to)
{
	return __atomic_compare_exchange_n(&k->word, &from, to, false, __ATOMIC_ACQ_REL,
					   __ATOMIC_RELAXED);
}

/* Zero-initialised mutexes are set up on first use, once, under klock. */
static struct kmutex *get(struct tk_mutex *m)
{
	struct kmutex *k = (struct kmutex *)m;

	if (!m)
		return 0;
	if (__atomic_load_n(&k->magic, __ATOMIC_ACQUIRE) == 0) {
		unsigned long f = klock();

		if (k->magic == 0)
			tk_mutex_init(m, 0);
		kunlock(f);
	}
	return k->magic == MUTEX_MAGIC ? k : 0;
}

int tk_mutex_init(struct tk_mutex *m, unsigned flags)
{
	struct kmutex *k = (struct kmutex *)m;

	if (!m || (flags & ~TK_MUTEX_RECURSIVE))
		return -EINVAL;
	if (__atomic_load_n(&k->magic, __ATOMIC_ACQUIRE) == MUTEX_MAGIC) {
		/* a live one waited for: its waiters would sleep for good, their
		 * list lost (one only held is its caller's business, as before) */
		unsigned long f = klock();
		bool waited = !waitq_empty(&k->waiters);

		kunlock(f);
		if (waited)
			return -EBUSY;
	}
	k->flags = flags;
	k->word = 0;
	k->depth = 0;
	waitq_init(&k->waiters);
	pi_mutex_init(&k->pi);
	__atomic_store_n(&k->magic, MUTEX_MAGIC, __ATOMIC_RELEASE);
	return 0;
}

/* Under klock: queue cur behind owner o (WAITERS is set), lending it cur's
 * key, and sleep until the unlock hands the mutex over (0) or the deadline. */
static int wait_for(struct kmutex *k, struct tk_thread *cur, struct tk_thread *o, uint64_t deadline)
{
	struct pi_key key = own_key(cur);
	int err;

	pi_adopt(&k->pi, &o->pi);	/* o took it without klock: name it now */
	pi_set_base(&cur->pi, &key);	/* a deadline thread lends its current deadline */
	err = pi_block(&cur->pi, &k->pi);
	if (err)
		return err;
	apply_chain(o);
	sched_help(o, cur->cpu);	/* if preempted on its CPU, it runs on ours */
	err = sched_block(&k->waiters, deadline);
	if (err) {	/* timed out: take back what we lent */
		pi_unblock(&cur->pi);
		apply_chain(owner_of(word(k)));
	}
	return err;
}

/* Under klock: take k, or queue for it. */
static int lock_slow(struct kmutex *k, struct tk_thread *cur, uint64_t deadline)
{
	for (;;) {
		uintptr_t w = word(k);

		if (w == 0 && swap(k, 0, (uintptr_t)cur)) {
			k->depth = 1;
			return 0;
		}
		if (w && (w & WAITERS || swap(k, w, w | WAITERS)))
			return wait_for(k, cur, owner_of(w), deadline);	/* 0: handed over */
	}
}

int tk_mutex_lock(struct tk_mutex *m, uint64_t deadline)
{
	struct tk_thread *cur = sched_current;
	struct kmutex *k;
	uintptr_t w;
	int err;

	if (sched_in_irq() || !cur)
		return -EINVAL;
	k = get(m);
	if (!k)
		return -EINVAL;
	w = word(k);
	if (owner_of(w) == cur) {	/* only cur itself can have put cur there */
		if (!(k->flags & TK_MUTEX_RECURSIVE))
			return -EDEADLK;
		k->depth++;
		return 0;
	}
	if (w == 0 && swap(k, 0, (uintptr_t)cur)) {
		k->depth = 1;
		return 0;
	}
	unsigned long flags = klock();

	err = lock_slow(k, cur, deadline);
	kunlock(flags);
	return err;
}

/* Under klock, depth already down to 0: give k to its best waiter, or free
 * it. A waiter that timed out may leave WAITERS set with nobody queued. */
static void hand_over(struct kmutex *k, struct tk_thread *cur)
{
	struct tk_thread *next;

	pi_release(&k->pi);
	apply_eff(cur);		/* drop what the waiters lent */
	sched_help_done();	/* a helper goes home at its next switch */
	next = waitq_first(&k->waiters);
	if (!next) {
		__atomic_store_n(&k->word, 0, __ATOMIC_RELEASE);
		return;
	}
	bool more = next->wait_node.next != &k->waiters.head;	/* others behind next */

	pi_unblock(&next->pi);
	k->depth = 1;
	__atomic_store_n(&k->word, (uintptr_t)next | (more ? WAITERS : 0), __ATOMIC_RELEASE);
	if (more)
		pi_adopt(&k->pi, &next->pi);	/* the rest lend to next now */
	apply_eff(next);
	sched_wake(next, 0);
}

int mutex_unlock_locked(struct kmutex *k)
{
	struct tk_thread *cur = sched_current;
	uintptr_t w = word(k);

	if (owner_of(w) != cur)
		return -EPERM;
	if (--k->depth)
		return 0;
	if (w == (uintptr_t)cur && swap(k, w, 0))
		return 0;	/* nobody waits (checked again under klock) */
	hand_over(k, cur);
	return 0;
}

int tk_mutex_unlock(struct tk_mutex *m)
{
	struct tk_thread *cur = sched_current;
	struct kmutex *k;
	uintptr_t w;
	int err;

	if (sched_in_irq() || !cur)
		return -EINVAL;
	k = get(m);
	if (!k)
		return -EINVAL;
	w = word(k);
	if (owner_of(w) != cur)
		return -EPERM;
	if (k->depth > 1) {
		k->depth--;
		return 0;
	}
	if (w == (uintptr_t)cur) {
		k->depth = 0;	/* before the swap: the next owner sets its own */
		if (swap(k, w, 0))
			return 0;	/* nobody waited: no klock */
		k->depth = 1;	/* a waiter came: still ours, the slow way */
	}
	unsigned long flags = klock();

	err = mutex_unlock_locked(k);
	if (err == 0)
		sched_preempt_point_after(flags);
	kunlock(flags);
	return err;
}

void mutex_init_if_zero(struct tk_mutex *m, unsigned flags)
{
	struct kmutex *k = (struct kmutex *)m;

	if (__atomic_load_n(&k->magic, __ATOMIC_ACQUIRE) == 0) {
		unsigned long f = klock();

		if (k->magic == 0)
			tk_mutex_init(m, flags);
		kunlock(f);
	}
}

bool mutex_owned_by_caller(struct tk_mutex *m)
{
	struct kmutex *k = get(m);

	return k && owner_of(word(k)) == sched_current;
}
