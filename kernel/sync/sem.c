/* Counting semaphore. A give with waiters hands the unit straight to the
 * best waiter; give works from interrupts. */
#include <errno.h>
#include <stdint.h>

#include <takt/time.h>

#include "sync_impl.h"

static struct ksem *get(struct tk_sem *s)
{
	struct ksem *k = (struct ksem *)s;

	if (!s)
		return 0;
	if (k->magic == 0)
		tk_sem_init(s, 0, UINT32_MAX);
	return k->magic == SEM_MAGIC ? k : 0;
}

int tk_sem_init(struct tk_sem *s, unsigned count, unsigned max)
{
	struct ksem *k = (struct ksem *)s;

	if (!s || max == 0 || count > max)
		return -EINVAL;
	k->count = count;
	k->max = max;
	waitq_init(&k->waiters);
	k->magic = SEM_MAGIC;
	return 0;
}

int tk_sem_take(struct tk_sem *s, uint64_t deadline)
{
	unsigned long flags = klock();
	struct ksem *k = get(s);
	int err = 0;

	if (!k)
		err = -EINVAL;
	else if (k->count)
		k->count--;
	else if (sched_in_irq() || !sched_current)
		err = deadline == 0 || deadline <= tk_now_ns() ? -ETIMEDOUT : -EINVAL;
	else
		err = sched_block(&k->waiters, deadline);
	kunlock(flags);
	return err;
}

int tk_sem_give(struct tk_sem *s)
{
	unsigned long flags = klock();
	struct ksem *k = get(s);
	int err = 0;

	if (!k)
		err = -EINVAL;
	else if (waitq_wake_one(&k->waiters, 0))
		sched_preempt_point();
	else if (k->count == k->max)
		err = -EOVERFLOW;
	else
		k->count++;
	kunlock(flags);
	return err;
}

unsigned tk_sem_count(struct tk_sem *s)
{
	struct ksem *k = get(s);

	return k ? k->count : 0;
}
