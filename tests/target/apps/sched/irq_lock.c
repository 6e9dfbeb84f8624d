/*
 * A wake-up from inside a tk_irq_lock section (a driver's, say): the
 * higher-priority thread woken there runs when the section ends - not in
 * the middle of it, where the section's state is half-done and its
 * exclusion of the other CPUs' sections would be dropped, and not later
 * either: no interrupt is needed to switch it in at tk_irq_unlock.
 *
 * The same for a tk_spin_lock_irqsave section, whose
 * tk_spin_unlock_irqrestore switches.
 *
 * The waiter (FIFO 20 on CPU 0) outranks main, so tk_thread_create runs it
 * at once until it blocks: when it returns, the waiter waits. Main then
 * wakes it inside a section, with stage 1 before the wake-up and 2 after.
 */
#include <stdbool.h>
#include <stdint.h>

#include <takt/spinlock.h>
#include <takt/takt.h>

#include "irq_lock.h"

static struct tk_mutex m, cm;	/* cm: c's */
static struct tk_sem s;
static tk_spinlock_t spin = TK_SPINLOCK_INIT;
static struct tk_cond c;
static struct tk_msgq q;
static int qbuf[1];
static volatile int stage;
static volatile int seen;	/* stage when the waiter went on; -1: not yet */

static void *waiter(void *arg)
{
	int msg;

	switch ((enum irq_lock_wake)(intptr_t)arg) {
	case WAKE_MUTEX_UNLOCK:
		tk_mutex_lock(&m, TK_FOREVER);
		seen = stage;
		tk_mutex_unlock(&m);
		break;
	case WAKE_SEM_GIVE:
	case WAKE_SEM_GIVE_SPIN:
		tk_sem_take(&s, TK_FOREVER);
		seen = stage;
		break;
	case WAKE_COND_SIGNAL:
		tk_mutex_lock(&cm, TK_FOREVER);
		tk_cond_wait(&c, &cm, TK_FOREVER);
		seen = stage;
		tk_mutex_unlock(&cm);
		break;
	case WAKE_MSGQ_PUT:
		tk_msgq_get(&q, &msg, TK_FOREVER);
		seen = stage;
		break;
	}
	return 0;
}

static int wake(enum irq_lock_wake how)
{
	int one = 1;

	switch (how) {
	case WAKE_MUTEX_UNLOCK:
		return tk_mutex_unlock(&m);
	case WAKE_SEM_GIVE:
	case WAKE_SEM_GIVE_SPIN:
		return tk_sem_give(&s);
	case WAKE_COND_SIGNAL:
		return tk_cond_signal(&c);
	case WAKE_MSGQ_PUT:
		return tk_msgq_put(&q, &one, 0);
	}
	return -1;
}

int irq_lock_wake(enum irq_lock_wake how, int *inside, int *at_unlock)
{
	struct tk_thread_attr a = { .name = "waiter", .stack_size = 8192, .cpu_mask = 1,
				    .sched = { .policy = TK_SCHED_FIFO, .prio = 20 } };
	tk_thread_t *t;
	unsigned long key;
	int err;

	if (tk_mutex_init(&m, 0) || tk_mutex_init(&cm, 0) || tk_sem_init(&s, 0, 1) ||
	    tk_cond_init(&c) || tk_msgq_init(&q, qbuf, sizeof(qbuf[0]), 1))
		return -1;
	stage = 0;
	seen = -1;
	if (how == WAKE_MUTEX_UNLOCK)
		tk_mutex_lock(&m, TK_FOREVER);
	if (tk_thread_create(&t, &a, waiter, (void *)(intptr_t)how))
		return -1;
	key = how == WAKE_SEM_GIVE_SPIN ? tk_spin_lock_irqsave(&spin) : tk_irq_lock();
	stage = 1;
	err = wake(how);
	stage = 2;
	*inside = seen;
	if (how == WAKE_SEM_GIVE_SPIN)
		tk_spin_unlock_irqrestore(&spin, key);
	else
		tk_irq_unlock(key);
	*at_unlock = seen;
	stage = 3;
	tk_thread_join(t, 0);
	return err;
}
