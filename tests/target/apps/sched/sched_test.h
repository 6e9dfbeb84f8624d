/* What the sched test's files share: the helpers that make its threads
 * (on CPU 0, with main) and the checks each file holds (main.c runs them). */
#ifndef SCHED_TEST_H
#define SCHED_TEST_H

#include <stdio.h>

#include <takt/takt.h>

#include "tk_test.h"

#define MS 1000000ull

/* CPU 0, with main: these are one CPU's scheduling claims (the multicore
 * ones are tests/target/apps/smp's). */
static inline tk_thread_t *spawn(const char *name, struct tk_sched s, tk_thread_fn fn, void *arg)
{
	return tk_test_spawn(name, 1, s, fn, arg);
}

static inline struct tk_sched dl(uint64_t runtime, uint64_t deadline, uint64_t period)
{
	return (struct tk_sched){ .policy = TK_SCHED_DEADLINE, .runtime = runtime,
				  .deadline = deadline, .period = period };
}

static inline struct tk_sched fifo(int prio)
{
	return (struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = prio };
}

/* The same as pointers, for tk_thread_setsched. */
#define P_DL(r, d, p) (&(struct tk_sched){ .policy = TK_SCHED_DEADLINE, .runtime = (r), \
					  .deadline = (d), .period = (p) })
#define P_FIFO(pr) (&(struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = (pr) })

/* bad_args.c: absurd arguments, and _init of objects in use */
void test_absurd_arguments(void);
void test_init_in_use(void);
/* in_irq.c: thread-only calls from an interrupt handler (arg: NULL, or a
 * panic case's name) */
void test_calls_in_irq(const char *arg);

#endif
