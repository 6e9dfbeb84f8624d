/*
 * Calls only a thread may make, made from an interrupt handler: a CBS
 * thread's overrun handler runs in the timer interrupt that found its
 * budget spent (the thread spins: no call of its own ends it), so that is
 * where these are made. tk_yield does nothing there (said once),
 * tk_thread_detach is -EPERM and changes nothing; tk_thread_exit and a
 * sleep for ever are panics (the app's arguments exit_in_irq and
 * sleep_forever_in_irq: tests/target/CMakeLists.txt).
 */
#include <errno.h>
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
}
