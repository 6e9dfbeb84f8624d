/* Message queue: a ring of fixed-size messages in a caller's buffer, with
 * waiting getters and putters. put from interrupts must not wait. Each
 * queue has its own lock (sync_impl.h). */
#include <errno.h>
#include <string.h>

#include <takt/time.h>

#include "sync_impl.h"

static struct kmsgq *get(struct tk_msgq *q)
{
	struct kmsgq *k = (struct kmsgq *)q;

	/* the magic before the lock: a lock in memory that is no queue could
	 * spin for ever */
	return q && __atomic_load_n(&k->magic, __ATOMIC_ACQUIRE) == MSGQ_MAGIC ? k : 0;
}

int tk_msgq_init(struct tk_msgq *q, void *buf, size_t msg_size, size_t capacity)
{
	struct kmsgq *k = (struct kmsgq *)q;

	if (!q || !buf || !msg_size || !capacity || capacity > SIZE_MAX / msg_size)
		return -EINVAL;
	if (get(q)) {	/* a live one: its waiters would sleep for good, their lists lost */
		unsigned long f = tk_spin_lock_irqsave(&k->lock);
		bool waited = !waitq_empty(&k->getters) || !waitq_empty(&k->putters);

		tk_spin_unlock_irqrestore(&k->lock, f);
		if (waited)
			return -EBUSY;
	}
	k->buf = buf;
	k->msg_size = msg_size;
	k->capacity = capacity;
	k->head = k->count = 0;
	memset(&k->lock, 0, sizeof(k->lock));
	waitq_init(&k->getters);
	waitq_init(&k->putters);
	__atomic_store_n(&k->magic, MSGQ_MAGIC, __ATOMIC_RELEASE);
	return 0;
}

/* Wait on wq while cond holds; interrupts may only try once. */
static int wait_while(struct kmsgq *k, struct waitq *wq, bool full, uint64_t deadline)
{
	while (full ? k->count == k->capacity : k->count == 0) {
		int err;

		if (sched_in_irq() || !sched_current)
			return deadline <= tk_now_ns() ? -ETIMEDOUT : -EINVAL;
		err = sched_block_locked(wq, &k->lock, deadline);
		if (err)
			return err;
	}
	return 0;
}

/* One message into the ring (put) or out of it: wait while it is full
 * (empty), move the message, wake one waiter of the other side, and switch
 * to it if it preempts, once the lock is let go. */
static int transfer(struct tk_msgq *q, const void *in, void *out, uint64_t deadline)
{
	struct kmsgq *k = get(q);
	bool put = in != 0, woke = false;
	unsigned long flags;
	int err;

	if (!k || (!in && !out))
		return -EINVAL;
	flags = tk_spin_lock_irqsave(&k->lock);
	err = wait_while(k, put ? &k->putters : &k->getters, put, deadline);
	if (err == 0) {
		uint8_t *at = k->buf + (put ? (k->head + k->count) % k->capacity : k->head) * k->msg_size;

		memcpy(put ? at : out, put ? in : at, k->msg_size);
		if (!put)
			k->head = (k->head + 1) % k->capacity;
		k->count += put ? 1 : (size_t)-1;
		woke = waitq_wake_one(put ? &k->getters : &k->putters, 0) != 0;
	}
	tk_spin_unlock(&k->lock);
	if (woke)
		sched_preempt_point_after(flags);	/* not under the lock: it may switch */
	arch_irq_restore(flags);
	return err;
}

int tk_msgq_put(struct tk_msgq *q, const void *msg, uint64_t deadline)
{
	return msg ? transfer(q, msg, 0, deadline) : -EINVAL;
}

int tk_msgq_get(struct tk_msgq *q, void *msg, uint64_t deadline)
{
	return msg ? transfer(q, 0, msg, deadline) : -EINVAL;
}

size_t tk_msgq_count(struct tk_msgq *q)
{
	struct kmsgq *k = get(q);

	return k ? k->count : 0;
}
