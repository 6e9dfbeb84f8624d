/* Ticket spinlocks (see <takt/spinlock.h>). */
#include <takt/spinlock.h>
#include <takt/time.h>

#include "arch.h"
#include "thread_impl.h"

void tk_spin_lock(tk_spinlock_t *l)
{
	uint16_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	if (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me) {
		l->contended++;	/* racy by design: a statistic */
		while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
			arch_cpu_relax();
	}
	l->held_since = (uint32_t)arch_counter();
}

bool tk_spin_trylock(tk_spinlock_t *l)
{
	uint16_t o = __atomic_load_n(&l->owner, __ATOMIC_ACQUIRE);
	uint16_t free_ticket = o;

	/* free when the next ticket is the one served: take it */
	if (!__atomic_compare_exchange_n(&l->next, &free_ticket, (uint16_t)(o + 1), false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return false;
	l->held_since = (uint32_t)arch_counter();
	return true;
}

void tk_spin_unlock(tk_spinlock_t *l)
{
	uint32_t held = (uint32_t)arch_counter() - l->held_since;

	if (held > l->max_hold)
		l->max_hold = held;
	__atomic_store_n(&l->owner, (uint16_t)(l->owner + 1), __ATOMIC_RELEASE);
	arch_cpu_kick();
}

unsigned long tk_spin_lock_irqsave(tk_spinlock_t *l)
{
	unsigned long flags = arch_irq_save();

	tk_spin_lock(l);
	return flags;
}

void tk_spin_unlock_irqrestore(tk_spinlock_t *l, unsigned long flags)
{
	tk_spin_unlock(l);
	arch_irq_restore(flags);
	sched_preempt_point_after(flags);	/* a wake-up inside the section switches now */
}

uint64_t tk_spin_max_hold_ns(const tk_spinlock_t *l)
{
	return l->max_hold * 1000000000ull / arch_counter_freq();
}
