/* What the smp test's files share: the CPU count, the helpers, and the
 * checks each file holds (main.c runs them in order). */
#ifndef SMP_TEST_H
#define SMP_TEST_H

#include <stdio.h>

#include <takt/takt.h>

#include "tk_test.h"

extern unsigned ncpu;	/* CPUs online (main.c) */

#define spawn_on tk_test_spawn

static inline struct tk_sched fifo(int prio)
{
	return (struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = prio };
}

static inline void wait_flag(volatile int *f)
{
	while (!__atomic_load_n(f, __ATOMIC_ACQUIRE))
		tk_cpu_relax();
}

static inline void join(tk_thread_t *t)
{
	if (t)
		tk_thread_join(t, 0);
}

void test_stress(void);		/* locks.c: spinlock and mutex from every CPU */
void test_log_levels(void);		/* locks.c: log levels set from every CPU */
void test_pi_chain(void);		/* locks.c: inheritance across three CPUs */
void test_helping(void);		/* locks.c: a preempted owner helps on the waiter's CPU */
/* irq.c: routing, delivery */
void test_irq_affinity(int con_cpu, bool console_chained, bool rx_delivery);
void test_posix(void);			/* posix.c: Linux's affinity API */
void test_sections(void);		/* section.c: cross-CPU calls inside tk_irq_lock */

#endif
