/* irq_lock.c: wake-ups from inside a tk_irq_lock or spin-lock section. */
#ifndef SCHED_TEST_IRQ_LOCK_H
#define SCHED_TEST_IRQ_LOCK_H

/* The last: a semaphore given inside a tk_spin_lock_irqsave section. */
enum irq_lock_wake { WAKE_MUTEX_UNLOCK, WAKE_SEM_GIVE, WAKE_COND_SIGNAL, WAKE_MSGQ_PUT,
		     WAKE_SEM_GIVE_SPIN };

/* Main (below the waiter, on CPU 0) wakes a FIFO 20 waiter with how inside
 * a tk_irq_lock section (a tk_spin_lock_irqsave one for WAKE_SEM_GIVE_SPIN).
 * *inside: the stage the waiter had seen when the section was about to end
 * (-1: it had not run); *at_unlock: the same right after the unlock.
 * @retval the wake call's result */
int irq_lock_wake(enum irq_lock_wake how, int *inside, int *at_unlock);

#endif
