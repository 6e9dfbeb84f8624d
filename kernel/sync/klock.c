/* The sync-object lock (see thread_impl.h): a ticket lock that nests on the
 * CPU holding it. */
#include "../thread_impl.h"

static tk_spinlock_t lock = TK_SPINLOCK_INIT;
static volatile int owner = -1;	/* CPU id; only the owner ever reads its own id here */
static unsigned depth;

tk_spinlock_t *klock_lock(void);
tk_spinlock_t *klock_lock(void)
{
	return &lock;
}

unsigned long klock(void)
{
	unsigned long f = arch_irq_save();
	int me = (int)cpu_self()->id;

	if (owner == me) {
		depth++;
		return f;
	}
	tk_spin_lock(&lock);
	owner = me;
	depth = 1;
	return f;
}

void kunlock(unsigned long flags)
{
	if (--depth == 0) {
		owner = -1;
		tk_spin_unlock(&lock);
	}
	arch_irq_restore(flags);
}

unsigned klock_drop(void)
{
	unsigned d = depth;

	if (owner != (int)cpu_self()->id)
		return 0;
	depth = 0;
	owner = -1;
	tk_spin_unlock(&lock);
	return d;
}

void klock_retake(unsigned d)
{
	if (!d)
		return;
	tk_spin_lock(&lock);
	owner = (int)cpu_self()->id;
	depth = d;
}

bool klock_take_within(uint64_t ticks)
{
	int me = (int)cpu_self()->id;
	uint64_t t0 = arch_counter();

	if (owner == me) {
		depth++;
		return true;
	}
	while (!tk_spin_trylock(&lock)) {
		if (arch_counter() - t0 > ticks)
			return false;
		arch_cpu_relax();
	}
	owner = me;
	depth = 1;
	return true;
}
