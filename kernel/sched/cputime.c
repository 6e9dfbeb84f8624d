/*
 * CPU-time clocks (CLOCK_THREAD_CPUTIME_ID, CLOCK_PROCESS_CPUTIME_ID): a
 * thread's charged time plus, while it runs, the part not charged yet.
 */
#include "../kernel.h"
#include "core_impl.h"

static uint64_t cpu_ns_of(const struct tk_thread *t, uint64_t now)
{
	const struct cpu *c = &cpus[t->cpu];

	return t->cpu_ns + (c->current == t && now > c->last_ns ? now - c->last_ns : 0);
}

uint64_t tk_thread_cpu_ns(tk_thread_t *t)
{
	unsigned long f = arch_irq_save();
	uint64_t ns;

	if (!t)
		t = cpu_self()->current;
	ns = t ? cpu_ns_of(t, time_now_ns()) : 0;
	arch_irq_restore(f);
	return ns;
}

static void add_cpu_ns(tk_thread_t *t, void *arg)
{
	*(uint64_t *)arg += cpu_ns_of(t, time_now_ns());
}

uint64_t tk_process_cpu_ns(void)
{
	uint64_t sum = 0;

	tk_thread_foreach(add_cpu_ns, &sum);
	return sum;
}
