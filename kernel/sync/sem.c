/* Counting semaphore. A give with waiters hands the unit straight to the
 * best waiter; give works from interrupts. Each semaphore has its own lock
 * (sync_impl.h). */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <takt/time.h>

#include "sync_impl.h"

static void setup(struct ksem *k, unsigned count, unsigned max)
{
	memset(&k->lock, 0, sizeof(k->lock));
	k->count = count;
	k->max = max;
	waitq_init(&k->waiters);
	__atomic_store_n(&k->magic, SEM_MAGIC, __ATOMIC_RELEASE);	/* last: get() sees it whole */
}

/* The semaphore, or NULL for what is none. Its magic is read before its
 * lock is touched: a lock in memory that is not a semaphore could spin for
 * ever. A zero-initialised one (TK_SEM_DEFINE) is set up once, under klock. */
static struct ksem *get(struct tk_sem *s)
{
	struct ksem *k = (struct ksem *)s;

	if (!s)
		return 0;
	if (__atomic_load_n(&k->magic, __ATOMIC_ACQUIRE) == 0) {
		unsigned long f = klock();

		if (k->magic == 0)
			setup(k, 0, UINT32_MAX);
		kunlock(f);
	}
	return __atomic_load_n(&k->magic, __ATOMIC_ACQUIRE) == SEM_MAGIC ? k : 0;
}

int tk_sem_init(struct tk_sem *s, unsigned count, unsigned max)
{
	struct ksem *k = (struct ksem *)s;

	if (!s || max == 0 || count > max)
		return -EINVAL;
	if (__atomic_load_n(&k->magic, __ATOMIC_ACQUIRE) == SEM_MAGIC) {
		/* a live one: its waiters would sleep for good, their list lost */
		unsigned long f = tk_spin_lock_irqsave(&k->lock);
		bool waited = !waitq_empty(&k->waiters);

		tk_spin_unlock_irqrestore(&k->lock, f);
		if (waited)
			return -EBUSY;
	}
	setup(k, count, max);
	return 0;
}

int tk_sem_take(struct tk_sem *s, uint64_t deadline)
{
	struct ksem *k = get(s);
	unsigned long flags;
	int err = 0;

	if (!k)
		return -EINVAL;
	flags = tk_spin_lock_irqsave(&k->lock);
	if (k->count)
		k->count--;
	else if (sched_in_irq() || !sched_current)
		err = deadline == 0 || deadline <= tk_now_ns() ? -ETIMEDOUT : -EINVAL;
	else
		err = sched_block_locked(&k->waiters, &k->lock, deadline);
	tk_spin_unlock_irqrestore(&k->lock, flags);
	return err;
}

int tk_sem_give(struct tk_sem *s)
{
	struct ksem *k = get(s);
	unsigned long flags;
	bool woke;
	int err = 0;

	if (!k)
		return -EINVAL;
	flags = tk_spin_lock_irqsave(&k->lock);
	woke = waitq_wake_one(&k->waiters, 0) != 0;
	if (!woke && k->count == k->max)
		err = -EOVERFLOW;
	else if (!woke)
		k->count++;
	tk_spin_unlock(&k->lock);
	if (woke)
		sched_preempt_point_after(flags);	/* not under the lock: it may switch */
	arch_irq_restore(flags);
	return err;
}

unsigned tk_sem_count(struct tk_sem *s)
{
	struct ksem *k = get(s);

	return k ? k->count : 0;
}
