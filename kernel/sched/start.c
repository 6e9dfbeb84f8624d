/*
 * The schedulers' start, once per CPU: the boot CPU's (main becomes its
 * first thread, sched_start) and each secondary's (its idle thread, made
 * by sched_cpu_prepare before the CPU runs, then sched_cpu_start on it).
 * Out of core.c: run once, built for size (kernel/CMakeLists.txt).
 */
#include <errno.h>

#include "../kernel.h"
#include "core_impl.h"

static void cpu_sched_init(struct cpu *c, struct tk_thread *idle)
{
	rq_init(&c->rq);
	timerq_init(&c->sleepq);
	c->idle = idle;
	idle->cpu = idle->next_cpu = (uint8_t)c->id;
	idle->affinity = 1u << c->id;
	idle->migrate_to = -1;
	idle->added = true;
}

void sched_start(struct tk_thread *main_thread, struct tk_thread *idle_thread)
{
	struct cpu *c = cpu_self();

	cpu_sched_init(c, idle_thread);
	main_thread->affinity = ~0u;
	main_thread->migrate_to = -1;
	main_thread->cpu = main_thread->next_cpu = (uint8_t)c->id;
	cpu_load_add(c, 1);
	c->current = main_thread;
	main_thread->on_cpu = true;
	main_thread->switches = 1;
	c->last_ns = time_now_ns();
	main_thread->added = true;
	main_thread->state = THREAD_BLOCKED;
	sched_wake(main_thread, 0);
	c->need_resched = false;	/* its key is published by sched_keys_on, when
					 * there is another CPU to read it */
}

/* c's current thread's key, for the other CPUs (no posts can be waiting
 * yet: nothing to decide again). */
static void publish_current(struct cpu *c, uint64_t now)
{
	struct run_key k = run_key_of(c, c->current, now);

	wake_publish_key(c, &k);
}

void sched_keys_on(void)
{
	unsigned long f = arch_irq_save();

	/* the key first: a decision after the flag publishes its own */
	publish_current(cpu_self(), time_now_ns());
	__atomic_store_n(&smp_keys, true, __ATOMIC_SEQ_CST);
	arch_irq_restore(f);
}

int sched_cpu_prepare(struct cpu *c, void *stack, size_t size)
{
	struct tk_thread *idle = thread_new_idle(c->id, stack, size);

	if (!idle)
		return -ENOMEM;
	cpu_sched_init(c, idle);
	return 0;
}

/* On the secondary itself: it runs as its idle thread from here. */
void sched_cpu_start(struct cpu *c)
{
	c->current = c->idle;
	c->idle->on_cpu = true;
	c->last_ns = c->idle_since = time_now_ns();
	publish_current(c, c->last_ns);
}
