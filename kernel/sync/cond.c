/* Condition variable. Releasing the mutex and starting to wait happen with
 * interrupts masked, so a signal between the two cannot be lost. */
#include <errno.h>

#include "sync_impl.h"

static struct kcond *get(struct tk_cond *c)
{
	struct kcond *k = (struct kcond *)c;

	if (!c)
		return 0;
	if (k->magic == 0)
		tk_cond_init(c);
	return k->magic == COND_MAGIC ? k : 0;
}

int tk_cond_init(struct tk_cond *c)
{
	struct kcond *k = (struct kcond *)c;
	unsigned long f;
	int err = 0;

	if (!c)
		return -EINVAL;
	f = klock();
	if (k->magic == COND_MAGIC && !waitq_empty(&k->waiters))
		err = -EBUSY;	/* its waiters would sleep for good, their list lost */
	else {
		waitq_init(&k->waiters);
		k->magic = COND_MAGIC;
	}
	kunlock(f);
	return err;
}

int tk_cond_wait(struct tk_cond *c, struct tk_mutex *m, uint64_t deadline)
{
	unsigned long flags;
	struct kcond *k;
	int err;

	if (sched_in_irq() || !sched_current)
		return -EINVAL;
	flags = klock();
	k = get(c);
	if (!k || !m) {
		kunlock(flags);
		return -EINVAL;
	}
	if (!mutex_owned_by_caller(m)) {
		kunlock(flags);
		return -EPERM;
	}
	/* A recursive m is let go whole (else the signaller could never take
	 * it) and comes back at the same depth. */
	struct kmutex *km = (struct kmutex *)m;
	uint32_t depth = km->depth;

	km->depth = 1;
	mutex_unlock_locked(km);
	err = sched_block(&k->waiters, deadline);
	kunlock(flags);
	/* POSIX: the mutex is held again on return, whatever happened; a
	 * cycle of owners meanwhile (-EDEADLK) is the one way it is not. */
	int relock = tk_mutex_lock(m, TK_FOREVER);

	if (relock)
		return relock;
	km->depth = depth;
	return err;
}

static int wake(struct tk_cond *c, bool all)
{
	unsigned long flags = klock();
	struct kcond *k = get(c);

	if (k) {
		if (all)
			waitq_wake_all(&k->waiters, 0);
		else
			waitq_wake_one(&k->waiters, 0);
		sched_preempt_point_after(flags);
	}
	kunlock(flags);
	return k ? 0 : -EINVAL;
}

int tk_cond_signal(struct tk_cond *c)
{
	return wake(c, false);
}

int tk_cond_broadcast(struct tk_cond *c)
{
	return wake(c, true);
}
