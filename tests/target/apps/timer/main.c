/* The one-shot timer interrupt fires through whichever interrupt controller
 * the DT names, and sleeps last at least as long as asked, with and without
 * the wake-up lead (kernel/sleep.c). With the argument "icount" (the test
 * runs it under -icount) the lead's timing is checked too: exact there,
 * while on the host's clock a TCG stall may outlast any lead. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <takt/takt.h>

#include "tk_test.h"

/* A sleep whose time has already passed when it is armed may return before
 * its interrupt is taken (a loaded host can stall the guest that long), so
 * sleep until an interrupt has been counted rather than count per sleep.
 * If the timer never fires, the loop gives up after 1000 sleeps. */
static bool timer_irq_seen(void)
{
	uint64_t before = tk_timer_irqs();

	for (int i = 0; i < 1000; i++) {
		tk_sleep_ns(1000000);
		if (tk_timer_irqs() > before)
			return true;
	}
	return false;
}

/* n sleeps of base ns and some; how many returned before their time. */
static int early_returns(int n, uint64_t base)
{
	int early = 0;

	for (int i = 0; i < n; i++) {
		uint64_t t = tk_now_ns() + base + (uint64_t)(i * 7919 % 40000);

		tk_sleep_until_ns(t);
		early += tk_now_ns() < t;
	}
	return early;
}

static struct tk_sleep_lead_stats before, after;
static bool icount;

static void lead_fixed(void)
{
	tk_sleep_lead_stats(&before);
	TK_CHECK("lead_set_fixed", tk_sleep_lead_set(50000) == 0);
	TK_CHECK("led_sleeps_never_early", early_returns(20, 200000) == 0);
	tk_sleep_lead_stats(&after);
	/* on the host's clock a stall before a sleep blocks can pass its early
	 * deadline: that sleep returns at once, spins, and is not counted */
	TK_CHECK("led_sleeps_counted", icount ? after.wakes - before.wakes == 20 :
		 after.wakes - before.wakes >= 1 && after.wakes - before.wakes <= 20);
	/* a 50 us lead is far longer than the ~1 us wake-up path: each spins */
	if (icount)
		TK_CHECK("led_sleeps_spin_not_late", after.late == before.late &&
			 after.spun_ns - before.spun_ns > 20 * 40000);
	TK_CHECK("stats_show_fixed_lead", after.mode == 50000 && after.lead_ns == 50000);

	uint64_t t = tk_now_ns() + 10000;	/* shorter than the lead: spun, not led */

	tk_sleep_lead_stats(&before);
	tk_sleep_until_ns(t);
	tk_sleep_lead_stats(&after);
	TK_CHECK("sleep_shorter_than_lead_spins", tk_now_ns() >= t && after.wakes == before.wakes);
}

static void lead_auto_and_off(void)
{
	TK_CHECK("lead_set_auto", tk_sleep_lead_set(TK_SLEEP_LEAD_AUTO) == 0);
	TK_CHECK("auto_sleeps_never_early", early_returns(30, 100000) == 0);
	tk_sleep_lead_stats(&after);
	printf("sleep lead learned: %u ns\n", (unsigned)after.lead_ns);
	TK_CHECK("auto_lead_learned", after.mode == TK_SLEEP_LEAD_AUTO && after.lead_ns > 0 &&
		 after.lead_ns <= 20000);

	/* Sleeps just longer than the lead: some time out before they block
	 * (the deadline passes on the way in). Those return at once and must
	 * not teach the lead their few-ns "path". */
	uint32_t learned = after.lead_ns;

	for (uint64_t d = 0; d < 200; d++)
		tk_sleep_until_ns(tk_now_ns() + learned + d);
	tk_sleep_lead_stats(&after);
	printf("sleep lead after short sleeps: %u ns\n", (unsigned)after.lead_ns);
	if (icount)	/* on the host's clock any wake-up may be the shortest yet */
		TK_CHECK("lead_kept_by_short_sleeps", after.lead_ns >= learned * 3 / 4);

	TK_CHECK("lead_set_off", tk_sleep_lead_set(0) == 0);
	tk_sleep_lead_stats(&before);
	TK_CHECK("unled_sleeps_never_early", early_returns(10, 100000) == 0);
	tk_sleep_lead_stats(&after);
	TK_CHECK("off_means_no_led_sleeps", after.wakes == before.wakes && after.lead_ns == 0);
	TK_CHECK("lead_set_refuses_bad", tk_sleep_lead_set(-2) == -EINVAL &&
		 tk_sleep_lead_set(TK_SLEEP_LEAD_MAX + 1) == -EINVAL && tk_sleep_lead_set(0) == 0);
}

/* A deadline thread sleeps to its time: CBS's wake-up rule reads the clock. */
static int dl_early;

static void *dl_sleeper(void *arg)
{
	(void)arg;
	dl_early = early_returns(10, 100000);
	return 0;
}

static void lead_not_for_deadline_threads(void)
{
	struct tk_thread_attr a = { .name = "dl", .stack_size = 8192,
				    .sched = { .policy = TK_SCHED_DEADLINE, .runtime = 1000000,
					       .deadline = 10000000, .period = 10000000 } };
	tk_thread_t *t = 0;

	tk_sleep_lead_set(50000);
	tk_sleep_lead_stats(&before);
	TK_CHECK("dl_thread_created", tk_thread_create(&t, &a, dl_sleeper, 0) == 0);
	if (t)
		tk_thread_join(t, 0);
	tk_sleep_lead_stats(&after);
	TK_CHECK("dl_sleeps_not_led", dl_early == 0 && after.wakes == before.wakes);
	tk_sleep_lead_set(TK_SLEEP_LEAD_AUTO);
}

int main(int argc, char **argv)
{
	uint64_t t0 = tk_now_ns();

	for (int i = 1; i < argc; i++)
		icount |= strcmp(argv[i], "icount") == 0;
	tk_sleep_lead_stats(&before);
	printf("sleep lead at boot: mode %d\n", (int)before.mode);
	for (int i = 0; i < 5; i++)
		tk_sleep_ns(1000000);
	uint64_t dt = tk_now_ns() - t0;

	TK_CHECK("sleep_lasts_at_least_5ms", dt >= 5000000);
	TK_CHECK("clock_is_monotonic", tk_now_ns() >= t0 + dt);
	TK_CHECK("timer_irq_fires", timer_irq_seen());
	TK_CHECK("an_intc_is_bound", tk_dev_count() >= 3);
	lead_fixed();
	lead_auto_and_off();
	lead_not_for_deadline_threads();
	return tk_test_done();
}
