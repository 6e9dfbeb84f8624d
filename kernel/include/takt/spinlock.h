/*
 * Ticket spinlocks for state shared between CPUs. FIFO among waiters, so a
 * CPU waits at most for the others' critical sections once each. Hold
 * times are recorded per lock (tk_spin_max_hold_ns): the kernel's locks
 * are listed by `./takt bench smp` and in /metrics.
 *
 * A lock taken from interrupt handlers must be taken with interrupts
 * masked everywhere (tk_spin_lock_irqsave), else a handler on the same CPU
 * spins on its own holder forever.
 */
#ifndef TAKT_SPINLOCK_H
#define TAKT_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
	uint16_t next, owner;	/* tickets: taken, served */
	uint32_t held_since;	/* low bits of the counter at the take */
	uint32_t max_hold;	/* longest hold, counter ticks */
	uint32_t contended;	/* takes that had to wait */
} tk_spinlock_t;

#define TK_SPINLOCK_INIT { 0, 0, 0, 0, 0 }

void tk_spin_lock(tk_spinlock_t *l);
/* Take the lock if it is free now, without waiting. @retval true: taken */
bool tk_spin_trylock(tk_spinlock_t *l);
void tk_spin_unlock(tk_spinlock_t *l);
/* Mask interrupts on this CPU, then take the lock; restore in reverse. A
 * thread woken inside the section that outranks the caller runs at the
 * unlock (as for tk_irq_lock). */
unsigned long tk_spin_lock_irqsave(tk_spinlock_t *l);
void tk_spin_unlock_irqrestore(tk_spinlock_t *l, unsigned long flags);
/* The longest hold so far, in ns of the monotonic clock. */
uint64_t tk_spin_max_hold_ns(const tk_spinlock_t *l);

#endif
