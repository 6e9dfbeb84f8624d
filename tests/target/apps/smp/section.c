/* Calls that would wait for another CPU, made inside a tk_irq_lock section
 * (the smp test). That CPU may be spinning for the section's lock with its
 * interrupts masked, so it never takes an IPI: tk_thread_setsched of its
 * thread is refused (-EPERM); a thread creation, which on x86 invalidates
 * the new stack's guard page on every CPU by cross-call, lets the lock go
 * while it waits, and two CPUs doing so at once run each other's call. */
#include <errno.h>

#include <takt/device.h>

#include "smp_test.h"

#define PRIO 10	/* main's (11 after its own change), the spinner's, the creator's */

static volatile int park_stop, spin_stop;
static volatile unsigned long spin_want, spin_got;

static void *park_fn(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&park_stop, __ATOMIC_ACQUIRE))
		tk_sleep_ns(1000000);
	return 0;
}

static void setsched_in_section(unsigned other, int prio)
{
	struct tk_sched got;
	tk_thread_t *t = spawn_on("parked", 1u << other, fifo(prio), park_fn, 0);
	unsigned long key = tk_irq_lock();
	int remote = t ? tk_thread_setsched(t, &(struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = prio + 1 }) : -1;
	int own = tk_thread_setsched(0, &(struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = PRIO + 1 });

	tk_irq_unlock(key);
	TK_CHECK("setsched_other_cpu_in_irq_lock_eperm_unchanged",
		 remote == -EPERM && tk_thread_getsched(t, &got) == 0 && got.prio == prio);
	TK_CHECK("setsched_own_cpu_in_irq_lock", own == 0);
	TK_CHECK("setsched_other_cpu_after_section",
		 t && tk_thread_setsched(t, &(struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = prio + 1 }) == 0);
	__atomic_store_n(&park_stop, 1, __ATOMIC_RELEASE);
	join(t);
}

/* Enters a section again and again: between two, spinning for its lock. */
static void *spin_fn(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&spin_stop, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&spin_want, spin_want + 1, __ATOMIC_RELEASE);
		unsigned long key = tk_irq_lock();

		__atomic_store_n(&spin_got, spin_got + 1, __ATOMIC_RELEASE);
		tk_irq_unlock(key);
	}
	return 0;
}

static void *nothing_fn(void *arg)
{
	return arg;
}

/* n threads on the caller's CPU below prio, created inside one section,
 * stacks of other sizes than before (a guard page where a stack was:
 * invalidated on every CPU on x86); joined after it. Returns how many
 * were created. */
static unsigned create_in_section(unsigned n, int prio, bool wait_spinner, volatile int *in)
{
	tk_thread_t *t[8];
	unsigned made = 0;
	unsigned long key = tk_irq_lock();

	if (in)
		__atomic_store_n(in, 1, __ATOMIC_RELEASE);

	/* until the spinner is at its tk_irq_lock, spinning; bounded, should an
	 * interrupt there wait for the lock held here before it gets that far */
	for (uint64_t end = tk_now_ns() + 20000000; wait_spinner &&
	     __atomic_load_n(&spin_want, __ATOMIC_ACQUIRE) == spin_got && tk_now_ns() < end;)
		tk_cpu_relax();
	for (unsigned i = 0; i < n && i < 8; i++) {
		struct tk_thread_attr a = { .name = "made", .stack_size = 4096 * (3 + i * 2),
					    .sched = fifo(prio - 1), .cpu_mask = 1u << tk_cpu_id() };

		t[i] = 0;
		made += tk_thread_create(&t[i], &a, nothing_fn, 0) == 0;
	}
	tk_irq_unlock(key);
	for (unsigned i = 0; i < n && i < 8; i++)
		join(t[i]);
	return made;
}

static volatile int creator_in;

static void *creator_fn(void *arg)
{
	int prio = (int)(uintptr_t)arg;

	return (void *)(uintptr_t)create_in_section(8, prio, false, &creator_in);
}

void test_sections(void)
{
	struct tk_sched me;
	uint32_t mask;
	unsigned other = ncpu - 1;
	struct tk_cpu_stats before, after;

	tk_thread_getsched(0, &me);
	tk_thread_get_affinity(0, &mask);
	tk_thread_set_affinity(0, 1u);	/* main on CPU 0 throughout */
	tk_thread_setsched(0, &(struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = PRIO });
	setsched_in_section(other, 5);

	spin_stop = 0;
	tk_thread_t *s = spawn_on("spinner", 1u << other, fifo(PRIO), spin_fn, 0);

	tk_cpu_stats(0, &before);
	unsigned long got0 = spin_got;
	unsigned made = s ? create_in_section(4, PRIO, true, 0) : 0;

	tk_cpu_stats(0, &after);
	printf("smp: 4 threads made in a section beside a spinning CPU: %lu IPIs, "
	       "the spinner in %lu sections meanwhile\n",
	       (unsigned long)(after.ipi_sent - before.ipi_sent), spin_got - got0);
	TK_CHECK("create_in_irq_lock_beside_spinning_cpu", made == 4);
#if defined(__x86_64__)
	/* the guard pages' invalidation reached the spinner's CPU */
	TK_CHECK("create_in_irq_lock_cross_called", after.ipi_sent > before.ipi_sent);
#endif
	__atomic_store_n(&spin_stop, 1, __ATOMIC_RELEASE);
	join(s);

	creator_in = 0;
	tk_thread_t *c = spawn_on("creator", 1u << other, fifo(PRIO), creator_fn,
				  (void *)(uintptr_t)PRIO);
	void *theirs = 0;

	if (c)	/* its section has begun: this one's creations overlap it */
		wait_flag(&creator_in);
	made = create_in_section(8, PRIO, false, 0);
	if (c)
		tk_thread_join(c, &theirs);
	TK_CHECK("create_in_irq_lock_on_two_cpus_at_once", made == 8 && (uintptr_t)theirs == 8);
	tk_thread_setsched(0, &me);
	tk_thread_set_affinity(0, mask);
}
