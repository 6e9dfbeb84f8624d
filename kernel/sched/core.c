/*
 * Scheduler core: the running thread, the one run queue (single core; the
 * rq per CPU is ready for partitioned EDF), the sleep/timeout queue, and
 * the switch. Policy lives in rq.c / dl.c / fp.c; this file only feeds
 * them time and events and switches to what rq_pick says.
 *
 * Everything here runs with interrupts masked. A wake-up from an interrupt
 * only marks need_resched; the switch happens on the interrupt's way out
 * (irq.c calls sched_irq_exit), so the preempted thread's full register
 * state stays in its exception frame on its own stack until it resumes.
 * Tickless: after every decision the one-shot timer is set to the nearest
 * of the sleep queue, the next replenishment and the budget end of the
 * thread about to run (and its round-robin slice).
 */
#include <errno.h>
#include <stdio.h>

#include <takt/log.h>
#include <takt/time.h>

#include "../kernel.h"
#include "../thread_impl.h"

struct tk_thread *sched_current;
static struct tk_thread *idle;
static struct rq rq;
static struct timerq sleepq;
static uint64_t last_ns;	/* when the running thread was last charged */
static bool need_resched;
static int irq_depth;
static bool deciding;	/* inside schedule(): handlers it calls must not re-enter */
static struct list_node boosted = { &boosted, &boosted };	/* few: owners with DL waiters */

static struct tk_thread *thread_of(struct sched_entity *se)
{
	return container_of(se, struct tk_thread, se);
}

static struct sched_entity *running_se(void)
{
	return sched_current == idle ? 0 : &sched_current->se;
}

/* Per-thread handler for overruns and misses (the SCHED_FLAG_DL_OVERRUN
 * idea); throttling or a new deadline means the choice may change. */
static void dl_events(struct tk_thread *t, unsigned ev)
{
	unsigned e = (ev & DL_EV_OVERRUN ? TK_EV_OVERRUN : 0u) | (ev & DL_EV_MISS ? TK_EV_MISS : 0u);

	if (e && t->dl_handler)
		t->dl_handler(t, e, t->dl_arg);
	if (ev & (DL_EV_THROTTLED | DL_EV_REPLENISHED | DL_EV_RUNNABLE))
		need_resched = true;
}

/* Time since the last charge goes to the running thread. */
static uint64_t account(uint64_t now)
{
	uint64_t d = now - last_ns;

	last_ns = now;
	sched_current->cpu_ns += d;
	return d;
}

static void charge(uint64_t now)
{
	struct tk_thread *c = sched_current;
	uint64_t d = account(now);

	if (c == idle || c->state != THREAD_READY)
		return;
	if (c->se.cls == SCHED_CLASS_DL)
		dl_events(c, rq_dl_charge(&rq, &c->se, now, d));
	else if (c->se.fp.slice && rq_fp_charge(&rq, &c->se, d))	/* FIFO: nothing to charge */
		need_resched = true;
}

static void program_timer(struct tk_thread *next, uint64_t now)
{
	struct sched_entity *se = next == idle ? 0 : &next->se;
	uint64_t t = timerq_earliest(&sleepq);
	uint64_t e = rq_next_event(&rq, se, now);

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
static bool runs_before(const struct tk_thread *b, const struct tk_thread *best)
{
	if (best == idle || best->se.cls != SCHED_CLASS_DL)
		return true;	/* any boost beats fixed priorities and idle */
	uint64_t d = best->se.dl.deadline;

	if (best->boost_deadline && best->boost_deadline < d)
		d = best->boost_deadline;
	return b->boost_deadline < d;
}

/* EDF's pick, unless a boosted mutex owner must run first. Boosted owners
 * run even when throttled: their waiters' deadlines are at stake (as
 * Linux runs a dl_boosted task past its budget). */
static struct tk_thread *pick(void)
{
	struct sched_entity *se = rq_pick(&rq);
	struct tk_thread *best = se ? thread_of(se) : idle;
	struct list_node *pos;

	list_for_each(pos, &boosted) {
		struct tk_thread *b = container_of(pos, struct tk_thread, boost_node);

		if (b->state == THREAD_READY && b != best && runs_before(b, best))
			best = b;
	}
	return best;
}

void sched_set_dl_boost(struct tk_thread *t, uint64_t deadline)
{
	if (t->boost_deadline == deadline)
		return;
	t->boost_deadline = deadline;
	list_del(&t->boost_node);
	if (deadline)
		list_add_tail(&boosted, &t->boost_node);
	need_resched = true;
}

/* Decide and switch; now is the caller's clock reading (one per path). */
static void schedule_at(uint64_t now)
{
	struct tk_thread *prev = sched_current, *next;

	deciding = true;	/* charge() may call a thread's deadline handler */
	charge(now);
	deciding = false;
	next = pick();
	need_resched = false;
	program_timer(next, now);
	if (next == prev)
		return;
	check_stack(prev);
	next->switches++;
	sched_current = next;
	_impure_ptr = next->reent_ptr;
	arch_context_switch(&prev->ctx, &next->ctx);
}

static void schedule(void)
{
	schedule_at(tk_now_ns());
}

bool sched_in_irq(void)
{
	return irq_depth > 0;
}

void sched_irq_enter(void)
{
	irq_depth++;
}

void sched_irq_exit(void)
{
	if (--irq_depth == 0 && need_resched && sched_current)
		schedule();
}

void sched_preempt_point(void)
{
	if (need_resched && !irq_depth && !deciding && sched_current)
		schedule();
}

void sched_timer_event(void)
{
	uint64_t now = tk_now_ns();
	struct timeout *to;
	struct sched_entity *se;
	unsigned ev;

	if (!sched_current)
		return;
	while ((to = timerq_pop_expired(&sleepq, now)))
		sched_wake(container_of(to, struct tk_thread, tmo), -ETIMEDOUT);
	while ((se = rq_dl_expire(&rq, now, &ev)))
		dl_events(thread_of(se), ev);
	check_stack(sched_current);
	need_resched = true;	/* charge the runner; budget or slice may be out */
}

void sched_wake(struct tk_thread *t, int result)
{
	if (t->state != THREAD_BLOCKED)
		return;
	if (t->waitq) {
		list_del(&t->wait_node);
		t->waitq = 0;
	}
	timerq_cancel(&sleepq, &t->tmo);
	t->state = THREAD_READY;
	t->wait_result = result;
	if (t->se.cls == SCHED_CLASS_DL)
		dl_events(t, rq_dl_wakeup(&rq, &t->se, tk_now_ns()));
	else
		rq_fp_wakeup(&rq, &t->se);
	if (t->boost_deadline || sched_preempt_check(running_se(), &t->se))
		need_resched = true;
}

/* Leave the run queue: the caller stops being runnable. */
static void dequeue_current(uint64_t now)
{
	struct tk_thread *c = sched_current;
	uint64_t d = account(now);

	if (c->se.cls == SCHED_CLASS_DL)
		dl_events(c, rq_dl_block(&rq, &c->se, now, d));
	else
		rq_fp_block(&rq, &c->se);
}

int sched_block(struct waitq *wq, uint64_t deadline)
{
	struct tk_thread *c = sched_current;
	uint64_t now = tk_now_ns();

	if (deadline <= now)
		return -ETIMEDOUT;
	if (wq)
		waitq_insert(wq, c);
	if (deadline != TK_FOREVER)
		timerq_add(&sleepq, &c->tmo, deadline);
	c->wait_result = 0;
	dequeue_current(now);
	c->state = THREAD_BLOCKED;
	schedule_at(now);
	return c->wait_result;
}

void sched_yield_current(void)
{
	struct tk_thread *c = sched_current;
	uint64_t now = tk_now_ns();

	if (c == idle)
		return;
	if (c->se.cls == SCHED_CLASS_DL) {
		dl_events(c, rq_dl_yield(&rq, &c->se, now, account(now)));
	} else {
		rq_fp_block(&rq, &c->se);	/* to the tail of its priority */
		rq_fp_wakeup(&rq, &c->se);
	}
	schedule_at(now);
}

void sched_exit_current(void)
{
	dequeue_current(tk_now_ns());
	if (sched_current->se.cls == SCHED_CLASS_DL)
		rq_dl_detach(&rq, &sched_current->se);
	sched_current->state = THREAD_EXITED;
	schedule();
	tk_panic("exited thread resumed");
}

void sched_add_thread(struct tk_thread *t)
{
	t->state = THREAD_BLOCKED;	/* sched_wake makes it ready */
	sched_wake(t, 0);
}

void sched_set_fp_prio(struct tk_thread *t, int prio)
{
	if (t->se.cls != SCHED_CLASS_FP || t->se.fp.prio == prio)
		return;
	if (t->state == THREAD_READY)
		rq_fp_block(&rq, &t->se);
	t->se.fp.prio = (uint8_t)prio;
	if (t->state == THREAD_READY)
		rq_fp_wakeup(&rq, &t->se);
	need_resched = true;
}

/* Fixed priority -> new fixed priority or slice. */
static int set_fp(struct tk_thread *t, const struct tk_sched *s)
{
	uint64_t slice = s->policy == TK_SCHED_RR ? (s->rr_slice_ns ? s->rr_slice_ns : TK_RR_SLICE_DEFAULT) : 0;
	bool queued = t->state == THREAD_READY;

	if (s->prio < TK_PRIO_MIN || s->prio > TK_PRIO_MAX)
		return -EINVAL;
	if (t->se.cls == SCHED_CLASS_DL) {
		if (queued)
			rq_dl_block(&rq, &t->se, tk_now_ns(), t == sched_current ? account(tk_now_ns()) : 0);
		rq_dl_detach(&rq, &t->se);
	} else if (queued) {
		rq_fp_block(&rq, &t->se);
	}
	t->se.cls = SCHED_CLASS_FP;
	fp_entity_init(&t->se.fp, s->prio, slice);
	if (queued)
		rq_fp_wakeup(&rq, &t->se);
	return 0;
}

static int set_dl(struct tk_thread *t, const struct tk_sched *s)
{
	struct dl_params p = { s->runtime, s->deadline, s->period };
	bool queued = t->state == THREAD_READY;
	int err;

	if (t->se.cls == SCHED_CLASS_DL)
		return rq_dl_change(&rq, &t->se, &p);
	err = dl_check_params(&p);
	if (err)
		return err;
	if (queued)
		rq_fp_block(&rq, &t->se);
	err = rq_dl_attach(&rq, &t->se, &p);
	if (err) {
		if (queued)
			rq_fp_wakeup(&rq, &t->se);
		return err;
	}
	t->se.cls = SCHED_CLASS_DL;
	if (queued)
		dl_events(t, rq_dl_wakeup(&rq, &t->se, tk_now_ns()));
	return 0;
}

int sched_set_params(struct tk_thread *t, const struct tk_sched *s)
{
	int err;

	if (s->policy == TK_SCHED_FIFO || s->policy == TK_SCHED_RR)
		err = set_fp(t, s);
	else if (s->policy == TK_SCHED_DEADLINE)
		err = set_dl(t, s);
	else
		err = -EINVAL;
	if (err)
		return err;
	t->sched = *s;
	need_resched = true;
	return 0;
}

int sched_set_bound(unsigned percent)
{
	if (percent < 1 || percent > 100)
		return -EINVAL;
	return dl_bw_set_bound(&rq.bw, ((uint64_t)percent << BW_SHIFT) / 100);
}

/* Idle: wait for an interrupt; its exit path switches to whatever woke. */
void *sched_idle_entry(void *arg)
{
	(void)arg;
	for (;;)
		arch_wait_for_irq();
	return 0;
}

void sched_start(struct tk_thread *main_thread, struct tk_thread *idle_thread)
{
	rq_init(&rq);
	timerq_init(&sleepq);
	idle = idle_thread;
	sched_current = main_thread;
	main_thread->switches = 1;
	last_ns = tk_now_ns();
	main_thread->state = THREAD_BLOCKED;
	sched_wake(main_thread, 0);
	need_resched = false;
}
