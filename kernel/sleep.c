/*
 * Sleeping until a time, with a wake-up lead (what Xenomai calls the
 * timer's gravity). Between the timer's expiry and the sleeper running
 * lie the interrupt, the decision and the switch: some 500 instructions
 * that every wake-up is late by. A fixed-priority sleeper's timeout is
 * therefore set `lead` ns before its time, and what is left of the lead
 * when it runs it spins, interrupts on (preemptible, charged to it). It
 * never returns before its time: the spin ends on the clock, not on the
 * estimate.
 *
 * The lead is learned per CPU from each led wake-up's path (sleep_lead.h),
 * or fixed (bootarg sleep.lead=NS, tk_sleep_lead_set), or off. Deadline
 * threads sleep to their time: their wake-up rule reads the clock (CBS's
 * new deadline is now + period), which an early wake-up would move.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <takt/board.h>
#include <takt/log.h>
#include <takt/thread.h>
#include <takt/time.h>

#include "arch.h"
#include "kernel.h"
#include "sleep_lead.h"
#include "thread_impl.h"

static int32_t lead_mode = TK_SLEEP_LEAD_AUTO;

/* The lead of a sleeper on c whose class is fixed-priority (fp). */
static uint64_t lead_of(const struct cpu *c, bool fp, int32_t mode)
{
	if (mode == 0 || !fp)
		return 0;
	if (mode > 0)
		return (uint64_t)mode;
	return c->lead_ns ? c->lead_ns : SLEEP_LEAD_SEED;	/* 0: none learned yet */
}

/* The timer woke the sleeper at `now`, having been set to t - lead: learn
 * from the path, count the wake-up. */
static void woken(struct cpu *c, uint64_t t, uint64_t lead, int32_t mode, uint64_t now)
{
	if (mode == TK_SLEEP_LEAD_AUTO)
		c->lead_ns = sleep_lead_next(c->lead_ns, now - (t - lead));
	c->lead_wakes++;
	if (now >= t)
		c->lead_late++;
	else
		c->lead_spun_ns += t - now;
}

static void spin_until(uint64_t t)
{
	while (time_now_ns() < t)
		;	/* not arch_cpu_relax: arm64's wfe would wait for an event */
}

void tk_sleep_until_ns(uint64_t t)
{
	uint64_t now;

	/* an interrupt handler busy-waits (below): for ever, with this CPU's
	 * interrupts masked, is a hang, not a wait */
	if (t == TK_FOREVER && sched_in_irq())
		tk_panic("time: a sleep for ever in an interrupt handler (thread context only)");
	while ((now = time_now_ns()) < t) {
		if (!time_has_clockevent() || sched_in_irq())
			continue;	/* no timer yet, or an interrupt: busy-wait */
		unsigned long flags = arch_irq_save_inline();	/* the wake-up path */
		struct cpu *c = cpu_self();
		struct tk_thread *self = c->current;
		int32_t mode = __atomic_load_n(&lead_mode, __ATOMIC_RELAXED);
		bool fp = self && self->se.cls == SCHED_CLASS_FP;
		uint64_t lead = t == TK_FOREVER ? 0 : lead_of(c, fp, mode), switches;
		int r;

		if (!self || t - now <= lead) {
			/* no threads yet, or shorter than the wake-up path */
			arch_irq_restore_inline(flags);
			spin_until(t);
			return;
		}
		switches = self->switches;
		r = sched_block(0, t - lead);
		/* learn only from a wake-up: a timeout already past when it
		 * blocked returns at once, and its "path" is a few ns */
		if (r == -ETIMEDOUT && lead && self->switches != switches)
			woken(cpu_self(), t, lead, mode, time_now_ns());
		arch_irq_restore_inline(flags);
		if (r == -ETIMEDOUT) {	/* only the timer says so, at t - lead or after */
			if (lead)
				spin_until(t);
			return;
		}
	}
}

int tk_sleep_lead_set(int32_t ns)
{
	if (ns < TK_SLEEP_LEAD_AUTO || ns > TK_SLEEP_LEAD_MAX)
		return -EINVAL;
	__atomic_store_n(&lead_mode, ns, __ATOMIC_RELAXED);
	return 0;
}

void tk_sleep_lead_stats(struct tk_sleep_lead_stats *st)
{
	if (!st)
		return;
	unsigned long f = arch_irq_save();

	memset(st, 0, sizeof(*st));
	st->mode = __atomic_load_n(&lead_mode, __ATOMIC_RELAXED);
	st->lead_ns = (uint32_t)lead_of(cpu_self(), true, st->mode);
	for (unsigned i = 0; i < TK_CPUS_MAX; i++) {
		st->wakes += __atomic_load_n(&cpus[i].lead_wakes, __ATOMIC_RELAXED);
		st->late += __atomic_load_n(&cpus[i].lead_late, __ATOMIC_RELAXED);
		st->spun_ns += __atomic_load_n(&cpus[i].lead_spun_ns, __ATOMIC_RELAXED);
	}
	arch_irq_restore(f);
}

/* sleep.lead=auto|off|NS (0..TK_SLEEP_LEAD_MAX): a bad value is named and
 * ignored (auto kept), as the other bootargs. */
static void sleep_bootargs(void)
{
	const char *v = tk_bootarg("sleep.lead");
	char *end;
	long n;

	if (!v || strcmp(v, "auto") == 0)
		return;
	if (strcmp(v, "off") == 0) {
		tk_sleep_lead_set(0);
		return;
	}
	n = strtol(v, &end, 10);
	if (*v < '0' || *v > '9' || *end || n > TK_SLEEP_LEAD_MAX)
		tk_printk("sleep: sleep.lead=%s ignored (auto, off or 0..%d ns)\n", v, TK_SLEEP_LEAD_MAX);
	else
		tk_sleep_lead_set((int32_t)n);
}
TK_INIT(sleep_bootargs);

void tk_sleep_ns(uint64_t ns)
{
	/* saturating: TK_FOREVER (or a negative count cast) sleeps for good,
	 * where the wrapped sum was a time long past, no sleep at all */
	tk_sleep_until_ns(tk_after_ns(ns));
}
