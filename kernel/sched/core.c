/*
 * Scheduler core, one per CPU (kernel/smp.h): the running thread, the run
 * queue, the sleep/timeout queue and the switch. Policy lives in rq.c /
 * dl.c / fp.c; this file only feeds them time and events and switches to
 * what rq_pick says.
 *
 * Everything here runs with interrupts masked, on the CPU whose state it
 * touches: a thread's rq, sleep queue entry and boost list are its home
 * CPU's (t->cpu), and only that CPU changes them. Another CPU that wakes
 * the thread, moves it or lends it a boost posts it on the home CPU's wake
 * list (WAKE_*) under that CPU's lock, and sends an IPI only when the
 * thread would preempt what runs there (the key the CPU published at its
 * last decision); the home CPU applies the posts when it next decides.
 * A wake-up from an interrupt only marks need_resched; the switch happens
 * on the interrupt's way out (irq.c calls sched_irq_exit), so the preempted
 * thread's full register state stays in its exception frame on its own
 * stack until it resumes. Tickless: after every decision the one-shot timer
 * is set to the nearest of the sleep queue, the next replenishment and the
 * budget end of the thread about to run (and its round-robin slice).
 */
#include <errno.h>

#include <takt/log.h>
#include <takt/time.h>

#include "../irq.h"
#include "../irqoff.h"
#include "hot.h"
#include "../kernel.h"
#include "core_impl.h"
#include "../trace/trace.h"

void cpu_load_add(struct cpu *c, int d)
{
	__atomic_fetch_add(&c->nthreads, (unsigned)d, __ATOMIC_RELAXED);
}

/* A ready thread leaves c's run queue (charged first if it is running):
 * its queue entry, boost-list entry and replenishment timer are c's. */
void cpu_take_out(struct cpu *c, struct tk_thread *t, uint64_t now)
{
	t->on_rq = false;
	if (t->se.cls == SCHED_CLASS_DL)
		rq_dl_block(&c->rq, &t->se, now, t == c->current ? sched_account(c, now) : 0);
	else
		rq_fp_block(&c->rq, &t->se);
	list_del(&t->boost_node);
	cpu_leave_timers(c, t);
}

/* t, off c's queues and switched out, now lives on `to`: an arrival post.
 * A wake-up that comes along leaves its timeout here, in c's queue. */
void cpu_hand_over(struct cpu *c, struct tk_thread *t, struct cpu *to, uint64_t now)
{
	timerq_cancel(&c->sleepq, &t->tmo);
	t->next_cpu = (uint8_t)to->id;	/* before t->cpu: `to` checks it */
	t->migrations++;
	cpu_load_add(c, -1);
	cpu_load_add(to, 1);
	cpu_move_posts(c, t, to, now);
}

/* A DL thread leaving c: its replenishment timer is c's. */
void cpu_leave_timers(struct cpu *c, struct tk_thread *t)
{
	if (t->se.cls == SCHED_CLASS_DL)
		timerq_cancel(&c->rq.dl_timers, &t->se.dl.timer);
}

/* Per-thread handler for overruns and misses (the SCHED_FLAG_DL_OVERRUN
 * idea); throttling or a new deadline means the choice may change. */
void sched_dl_events(struct cpu *c, struct tk_thread *t, unsigned ev)
{
	unsigned e = (ev & DL_EV_OVERRUN ? TK_EV_OVERRUN : 0u) | (ev & DL_EV_MISS ? TK_EV_MISS : 0u);

	if (__builtin_expect(trace_on, 0))
		trace_dl_events(t->id, ev);
	if (e && t->dl_handler) {
		/* as an interrupt handler, which it is or is nested in (the
		 * decision: klock held, interrupts masked): the calls only a
		 * thread may make refuse there, as in any handler (a tk_yield
		 * here began a decision inside this one) */
		struct cpu *me = cpu_self();

		me->irq_depth++;
		t->dl_handler(t, e, t->dl_arg);
		me->irq_depth--;
	}
	if (ev & (DL_EV_THROTTLED | DL_EV_REPLENISHED | DL_EV_RUNNABLE))
		c->need_resched = true;
}

/* Time since the last charge goes to the running thread. */
uint64_t sched_account(struct cpu *c, uint64_t now)
{
	uint64_t d = now - c->last_ns;

	c->last_ns = now;
	c->current->cpu_ns += d;
	return d;
}

static void charge(struct cpu *c, uint64_t now)
{
	struct tk_thread *t = c->current;
	uint64_t d = sched_account(c, now);

	if (t == c->idle || !t->on_rq)
		return;
	if (t->se.cls == SCHED_CLASS_DL) {
		if (!split_charge(c, t, now, d))
			sched_dl_events(c, t, rq_dl_charge(&c->rq, &t->se, now, d));
	} else if (t->se.fp.slice && rq_fp_charge(&c->rq, &t->se, d))	/* FIFO: nothing to charge */
		c->need_resched = true;
}

static void program_timer(struct cpu *c, struct tk_thread *next, uint64_t now)
{
	struct sched_entity *se = next == c->idle ? 0 : &next->se;
	uint64_t t = timerq_earliest(&c->sleepq);
	uint64_t e = rq_next_event(&c->rq, se, now);

	if (e < t)
		t = e;
	if (se && se->cls == SCHED_CLASS_FP && se->fp.slice && se->fp.slice_left > 0 &&
	    now + (uint64_t)se->fp.slice_left < t)
		t = now + (uint64_t)se->fp.slice_left;
	time_set_event(t);
}

static void check_stack(struct tk_thread *t)
{
	if (t->stack_lo && *t->stack_lo != STACK_CANARY)
		tk_panic("stack overflow in thread '%s' (stack %u bytes at %p)", t->name,
			 (unsigned)t->stack_size, (void *)t->stack_lo);
}

/* The urgency a thread runs with: its deadline, or a lent earlier one. */
static bool runs_before(const struct cpu *c, const struct tk_thread *b, const struct tk_thread *best)
{
	if (best == c->idle || best->se.cls != SCHED_CLASS_DL)
		return true;	/* any boost beats fixed priorities and idle */
	uint64_t d = best->se.dl.deadline;

	if (best->boost_deadline && best->boost_deadline < d)
		d = best->boost_deadline;
	return b->boost_deadline < d;
}

/* EDF's pick, unless a boosted mutex owner must run first. Boosted owners
 * run even when throttled: their waiters' deadlines are at stake (as
 * Linux runs a dl_boosted task past its budget). */
static struct tk_thread *pick(struct cpu *c)
{
	struct sched_entity *se = rq_pick(&c->rq);
	struct tk_thread *best = se ? thread_of(se) : c->idle;
	struct list_node *pos;

	list_for_each(pos, &c->boosted) {
		struct tk_thread *b = container_of(pos, struct tk_thread, boost_node);

		if (b->on_rq && b != best && runs_before(c, b, best))
			best = b;
	}
	return best;
}

/* ---- deciding and switching ---- */

void sched_finish_switch(void)
{
	struct cpu *c = cpu_self();
	struct tk_thread *p = c->switched_from;
	int to;

	if (!p)
		return;
	c->switched_from = 0;
	to = p->migrate_to;
	p->migrate_to = -1;
	__atomic_store_n(&p->on_cpu, false, __ATOMIC_RELEASE);
	if (to >= 0 && p->state == THREAD_READY)
		cpu_hand_over(c, p, &cpus[to], time_now_ns());
	else if (to >= 0 && p->state == THREAD_BLOCKED)
		p->next_cpu = (uint8_t)to;	/* it blocked while leaving: moved at its wake-up */
	arch_cpu_kick();	/* a joiner may wait for this (sched_wait_off_cpu) */
}

/* Decide and switch; now is the caller's clock reading (one per path). */
static SCHED_HOT void schedule_at(uint64_t now)
{
	struct cpu *c = cpu_self();
	struct tk_thread *prev = c->current, *next;

	c->deciding = true;	/* charge() may call a thread's deadline handler */
	charge(c, now);
	c->deciding = false;
	do {
		wake_drain(c, now);
		next = pick(c);
	} while (!wake_publish(c, next, now));
	c->need_resched = false;
	program_timer(c, next, now);
	check_stack(prev);	/* every decision: the timer's catch a thread that never switches */
	if (next == prev)
		return;
	if (prev == c->idle)
		c->idle_ns += now - c->idle_since;
	if (next == c->idle)
		c->idle_since = now;
	next->switches++;
	next->on_cpu = true;
	if (__builtin_expect(trace_on, 0))	/* prev's state: 0 R, 1 S, 2 X */
		trace_put(TR_SWITCH, prev->state == THREAD_READY ? 0 : prev->state ==
			  THREAD_BLOCKED ? 1 : 2, 0, prev->id, next->id, 0);
	c->current = next;
	c->switched_from = prev;
	arch_context_switch(&prev->ctx, &next->ctx);
	sched_finish_switch();	/* back in prev, maybe on another CPU */
}

/* The voluntary paths' entry. Interrupts must be masked: a switch keeps
 * the CPU's mask, so the thread switched to would go on unmasked where it
 * counts on them masked (a console writer was once interrupted there with
 * klock half taken, and the handler spun on it for good). */
static void schedule(void)
{
	if (!arch_irq_masked())
		tk_panic("schedule() with interrupts on");
	schedule_at(time_now_ns());
}

/* The decision on an interrupt's way out takes the timer event's clock
 * reading when there was one: the handler's few hundred instructions since
 * are charged to the thread that runs next (the wake-up's cost), and one
 * clock read less is on every timer wake-up. */
void sched_irq_exit(void)
{
	struct cpu *c = cpu_self();
	uint64_t now;

	if (--c->irq_depth || !c->need_resched || !c->current)
		return;
	now = c->event_ns;
	c->event_ns = 0;
	if (!now || now < c->last_ns)	/* a charge since: no older reading */
		now = time_now_ns();
	schedule_at(now);	/* a tail call: gdb unwinds schedule_at <- irq_dispatch */
}

/* Callable with interrupts on (after a kunlock that left a wake-up's
 * need_resched behind): the decision masks them itself. */
void sched_preempt_point(void)
{
	unsigned long flags = arch_irq_save_inline();
	struct cpu *c = cpu_self();

	if (c->need_resched && !c->irq_depth && !c->deciding && c->current) {
		unsigned held = klock_drop();	/* callers end their klock section here */

		schedule();
		klock_retake(held);
	}
	arch_irq_restore_inline(flags);
}

/* ---- making a thread runnable on its own CPU ----
 * Here, beside wake_at, and marked inline: the timer interrupt's wake-up
 * takes them inline (their calls were a fifth of its scheduler part); the
 * wake list's posts, placement and splits call them. */

/* Queue the ready t on its home c (its class's wake-up rule). */
inline void cpu_enqueue(struct cpu *c, struct tk_thread *t, uint64_t when)
{
	t->on_rq = true;
	if (t->boost_deadline && list_empty(&t->boost_node))	/* lent while elsewhere */
		list_add_tail(&c->boosted, &t->boost_node);
	if (t->se.cls == SCHED_CLASS_DL)
		sched_dl_events(c, t, rq_dl_wakeup(&c->rq, &t->se, when));
	else
		rq_fp_wakeup(&c->rq, &t->se);
	if (t->boost_deadline || sched_preempt_check(running_se(c), &t->se))
		c->need_resched = true;
}

/* Whether a wake-up or arrival on c still has a thread to queue. Posts
 * can be stale: a thread handed over while its wake-up was on the way gets
 * both, and may have run and blocked again before the second comes; a
 * running thread that is leaving (migrate_to) is handed over when it is
 * switched out. */
inline bool wants_queue(const struct cpu *c, const struct tk_thread *t)
{
	if (t->on_rq || t->state != THREAD_READY)
		return false;
	return !(t == c->current && t->migrate_to >= 0);
}

/* A woken t on its home CPU c: its timeout is c's to cancel; a new home
 * chosen while it slept takes it from here (cpu_hand_over). */
inline void wake_here(struct cpu *c, struct tk_thread *t, uint64_t when)
{
	if (!wants_queue(c, t))
		return;
	timerq_cancel(&c->sleepq, &t->tmo);
	split_wake(t, when);	/* a split job that ended here goes back */
	if (t->next_cpu != c->id) {	/* not queued here: only timers and boosts to leave */
		cpu_leave_timers(c, t);
		list_del(&t->boost_node);
		cpu_hand_over(c, t, &cpus[t->next_cpu], when);
		return;
	}
	cpu_enqueue(c, t, when);
}

/* Under t's wait queue's lock (klock or its object's), or t is a plain
 * sleeper here; now is this CPU's clock. */
static void wake_at(struct tk_thread *t, int result, uint64_t now)
{
	struct cpu *c = cpu_self();
	enum thread_state blocked = THREAD_BLOCKED;

	/* One wake-up wins: a waker under klock, or this CPU's timer for a
	 * plain sleeper (no wait queue, no lock). */
	if (!__atomic_compare_exchange_n(&t->state, &blocked, THREAD_READY, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return;
	if (t->waitq) {
		list_del(&t->wait_node);
		t->waitq = 0;
	}
	t->wait_result = result;
	TRACE(TR_WAKE, t->id, t->cpu);
	if (t->cpu == c->id)	/* only this CPU moves its threads */
		wake_here(c, t, now);
	else
		cpu_post(t, WAKE_WAKE, now);
}

/* t waits in a queue: wake it under that queue's lock. t stays blocked
 * there until then (its timeout is this CPU's), so wait_lock is the one. */
static void wake_waiter(struct tk_thread *t, int result, uint64_t now)
{
	tk_spinlock_t *l = t->wait_lock;

	if (l) {
		tk_spin_lock(l);
		wake_at(t, result, now);
		tk_spin_unlock(l);
	} else {
		unsigned long f = klock();

		wake_at(t, result, now);
		kunlock(f);
	}
}

SCHED_HOT void sched_timer_event(void)
{
	struct cpu *c = cpu_self();
	uint64_t now = time_now_ns();
	struct timeout *to;
	struct sched_entity *se;
	unsigned ev;

	if (!c->current)
		return;
	/* A timed-out waiter leaves its wait queue under the queue's lock (its
	 * object's, or klock); a plain sleeper (clock_nanosleep) is in none,
	 * and its wake-up takes no lock: a CPU holding a lock elsewhere must
	 * not delay this CPU's sleepers. The state's compare-and-swap settles a
	 * race with a waker. */
	while ((to = timerq_pop_expired(&c->sleepq, now))) {
		struct tk_thread *t = container_of(to, struct tk_thread, tmo);

		if (__atomic_load_n(&t->waitq, __ATOMIC_ACQUIRE))
			wake_waiter(t, -ETIMEDOUT, now);
		else
			wake_at(t, -ETIMEDOUT, now);
	}
	while ((se = rq_dl_expire(&c->rq, now, &ev)))
		sched_dl_events(c, thread_of(se), ev);
	c->event_ns = now;
	c->need_resched = true;	/* the decision on the way out charges the runner (budget
				 * or slice may be out) and checks its stack */
}

void sched_wake(struct tk_thread *t, int result)
{
	wake_at(t, result, time_now_ns());
}

/* Leave the run queue: the caller stops being runnable. A caller that is
 * leaving this CPU (migrate_to) was taken out already. */
static void dequeue_current(struct cpu *c, uint64_t now)
{
	struct tk_thread *t = c->current;
	uint64_t d = sched_account(c, now);

	if (!t->on_rq)
		return;
	t->on_rq = false;
	if (t->se.cls == SCHED_CLASS_DL)
		sched_dl_events(c, t, rq_dl_block(&c->rq, &t->se, now, d));
	else
		rq_fp_block(&c->rq, &t->se);
}

static int block_on(struct waitq *wq, tk_spinlock_t *lock, uint64_t deadline)
{
	struct cpu *c = cpu_self();
	struct tk_thread *t = c->current;
	uint64_t now = time_now_ns();
	unsigned held;

	if (deadline <= now)
		return -ETIMEDOUT;
	if (wq) {
		t->wait_lock = lock;
		waitq_insert(wq, t);
	}
	if (deadline != TK_FOREVER)
		timerq_add(&c->sleepq, &t->tmo, deadline);
	t->wait_result = 0;
	TRACE(TR_BLOCK, t->id, 0);
	dequeue_current(c, now);
	t->state = THREAD_BLOCKED;
	if (lock)
		tk_spin_unlock(lock);
	held = klock_drop();	/* a waker on another CPU may need it now */
	schedule_at(now);
	klock_retake(held);
	if (lock)
		tk_spin_lock(lock);
	return t->wait_result;
}

int sched_block(struct waitq *wq, uint64_t deadline)
{
	return block_on(wq, 0, deadline);
}

int sched_block_locked(struct waitq *wq, tk_spinlock_t *lock, uint64_t deadline)
{
	return block_on(wq, lock, deadline);
}

void sched_yield_current(void)
{
	struct cpu *c = cpu_self();
	struct tk_thread *t = c->current;
	uint64_t now = time_now_ns();

	if (t == c->idle)
		return;
	/* A thread leaving this CPU is off its queue already: the switch
	 * hands it over. */
	if (t->on_rq && t->se.cls == SCHED_CLASS_DL) {
		sched_dl_events(c, t, rq_dl_yield(&c->rq, &t->se, now, sched_account(c, now)));
		split_yielded(c, t, now);
	} else if (t->on_rq) {
		rq_fp_yield(&c->rq, &t->se);	/* to the tail of its priority */
	}
	schedule_at(now);
}

void sched_exit_current(void)
{
	struct cpu *c = cpu_self();
	struct tk_thread *t = c->current;

	klock_drop();
	dequeue_current(c, time_now_ns());
	if (t->se.cls == SCHED_CLASS_DL)
		sched_dl_release(c, t);
	cpu_load_add(c, -1);
	t->state = THREAD_EXITED;
	schedule();
	tk_panic("exited thread resumed");
}

void sched_add_thread(struct tk_thread *t)
{
	t->added = true;
	trace_name(t);		/* its parameters are set by now */
	t->state = THREAD_BLOCKED;	/* sched_wake makes it ready */
	sched_wake(t, 0);
}

/* ---- idle (its start: start.c) ---- */

/* Idle: wait for an interrupt; its exit path (sched_irq_exit) switches to
 * whatever woke, and idle resumes there when nothing else is left. */
void *sched_idle_entry(void *arg)
{
	(void)arg;
	for (;;) {
		arch_idle_wait();
		if (ARCH_IDLE_POLLS)
			irq_dispatch(0);	/* pending, masked: no interrupt frame */
	}
	return 0;
}
