/*
 * Calls only a thread may make, made from an interrupt handler: a CBS
 * thread's overrun handler runs in the timer interrupt that found its
 * budget spent (the thread spins: no call of its own ends it), so that is
 * where these are made. tk_yield does nothing there (said once),
 * tk_thread_detach is -EPERM and changes nothing; tk_thread_exit, a
 * sleep for ever, malloc and printf (newlib's locks) are panics (the
 * app's arguments exit_in_irq, sleep_forever_in_irq, malloc_in_irq and
 * printf_in_irq: tests/target/CMakeLists.txt). tk_yield inside a
 * tk_irq_lock section does nothing either: a thread of main's priority
 * ready beside it runs only after the section.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched_test.h"

static const char *misuse;
static volatile bool handled, stop_spinner;
static volatile int detach_rc = 1;
static struct tk_sem handler_done, release_victim;
static tk_thread_t *victim;

static void on_overrun(tk_thread_t *t, unsigned ev, void *arg)
{
	(void)t;
	(void)arg;
	if (!(ev & TK_EV_OVERRUN) || handled)
		return;
	handled = true;
	if (misuse && strcmp(misuse, "exit_in_irq") == 0)
		tk_thread_exit(0);
	if (misuse && strcmp(misuse, "sleep_forever_in_irq") == 0)
		tk_sleep_until_ns(TK_FOREVER);
	if (misuse && strcmp(misuse, "malloc_in_irq") == 0) {
		void *volatile p = malloc(16);	/* volatile: kept, not folded away with the free */

		free(p);
	}
	if (misuse && strcmp(misuse, "printf_in_irq") == 0)
		printf("sched: printf in the overrun handler\n");
	tk_yield();
	detach_rc = tk_thread_detach(victim);
	tk_sem_give(&handler_done);
}

static void *spinner(void *arg)
{
	(void)arg;
	tk_thread_set_dl_handler(0, on_overrun, 0);
	while (!stop_spinner)
		;
	return 0;
}

static void *waiter(void *arg)
{
	(void)arg;
	tk_sem_take(&release_victim, TK_FOREVER);
	return 0;
}

static volatile bool sibling_ran;

static void *sibling(void *arg)
{
	(void)arg;
	sibling_ran = true;
	return 0;
}

static void test_yield_in_section(void)
{
	struct tk_sched me;
	bool inside;

	tk_thread_getsched(0, &me);
	tk_thread_t *t = spawn("sibling", me, sibling, 0);
	unsigned long key = tk_irq_lock();

	tk_yield();
	inside = sibling_ran;
	tk_irq_unlock(key);
	tk_yield();
	TK_CHECK("yield_in_irq_lock_runs_nobody_inside", t && !inside);
	TK_CHECK("yield_after_the_section_runs_the_sibling", t && sibling_ran);
	if (t)
		tk_thread_join(t, 0);
}

/* arg: NULL for the refusals, or one of the panic cases. */
void test_calls_in_irq(const char *arg)
{
	misuse = arg;
	tk_sem_init(&handler_done, 0, 1);
	tk_sem_init(&release_victim, 0, 1);
	victim = spawn("victim", fifo(5), waiter, 0);
	tk_thread_t *s = spawn("irq_spinner", dl(1 * MS, 10 * MS, 10 * MS), spinner, 0);
	int taken = tk_sem_take(&handler_done, tk_after_ns(200 * MS));

	stop_spinner = true;
	TK_CHECK("overrun_handler_ran_in_timer_irq", taken == 0);
	TK_CHECK("detach_in_irq_eperm", detach_rc == -EPERM);
	tk_sem_give(&release_victim);
	TK_CHECK("victim_still_joinable_after_refused_detach", victim && tk_thread_join(victim, 0) == 0);
	tk_thread_join(s, 0);
	if (!arg)
		test_yield_in_section();
}
