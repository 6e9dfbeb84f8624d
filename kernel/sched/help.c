/*
 * Migratory priority inheritance ("helping", as MrsP and M-BWI do it): a
 * mutex owner that waiters on other CPUs are blocked on, but that is
 * preempted on its own CPU, moves to a waiter's CPU and runs there with
 * the priority or deadline it was lent, where the waiter would have run;
 * once it no longer holds what others wait for, it goes back. So a request
 * waits for at most one critical section per other CPU, however busy the
 * owner's own CPU is.
 *
 *   waiter W blocks on M (CPU B)        owner O of M, preempted on CPU A
 *   sched_help(O, B) --WAKE_HELP--> A:  O still preempted and lent a key?
 *                                       O leaves A (help_home = A) for B
 *   O unlocks M on B, lends nothing:    sched_help_done(O): back to A
 *
 * A split deadline thread's home is the CPU of the piece its job is in:
 * when the piece changes while it helps (split.c), it stays on B, and its
 * help_home becomes the new piece's CPU.
 */
#include <takt/time.h>

#include "core_impl.h"

static bool lent(const struct tk_thread *t)
{
	return t->boost_deadline ||
	       (t->se.cls == SCHED_CLASS_FP && t->se.fp.prio > t->sched.prio);
}

/* Under klock (the mutex's): ask t's CPU to send t to CPU `to` if it is
 * preempted there. */
void sched_help(struct tk_thread *t, unsigned to)
{
	if (t->cpu == to || t->help_home >= 0 || !(t->affinity & (1u << to)))
		return;	/* there already, helping already, or not allowed there */
	t->help_to = (int8_t)to;
	cpu_post(t, WAKE_HELP, tk_now_ns());
}

/* On t's CPU c (a WAKE_HELP post): move it if it is still ready but not
 * running, and still lent a key. */
void help_apply(struct cpu *c, struct tk_thread *t, uint64_t now)
{
	struct cpu *to;

	if (t->help_to < 0 || t->cpu != c->id || !t->on_rq || t == c->current || !lent(t))
		return;
	to = &cpus[t->help_to];
	t->help_to = -1;
	if (!to->online)
		return;
	cpu_take_out(c, t, now);	/* not running: nothing to charge */
	t->help_home = (int8_t)c->id;
	cpu_hand_over(c, t, to, now);
}

/* The caller (a helper that just unlocked, interrupts masked) goes home
 * once nothing is lent to it any more: it leaves at its next switch. */
void sched_help_done(void)
{
	struct cpu *c = cpu_self();
	struct tk_thread *t = c->current;

	if (t->help_home < 0 || lent(t))
		return;
	if (t->help_home == (int8_t)c->id) {	/* a split job's piece moved here meanwhile */
		t->help_home = -1;
		return;
	}
	cpu_take_out(c, t, tk_now_ns());
	t->next_cpu = (uint8_t)t->help_home;
	t->migrate_to = t->help_home;
	t->help_home = -1;
	c->need_resched = true;
}
