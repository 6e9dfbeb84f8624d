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
#include <stdio.h>

#include <takt/log.h>
#include <takt/time.h>

#include "../kernel.h"
#include "../thread_impl.h"

enum { WAKE_WAKE = 1, WAKE_ARRIVE = 2, WAKE_UPDATE = 4 };

static tk_spinlock_t admit_lock = TK_SPINLOCK_INIT;	/* every CPU's dl_bw; parameter changes only */

static void load_add(struct cpu *c, int d)
{
	__atomic_fetch_add(&c->nthreads, (unsigned)d, __ATOMIC_RELAXED);
}

/* A DL thread leaving c: its replenishment timer is c's. */
static void leave_timers(struct cpu *c, struct tk_thread *t)
{
	if (t->se.cls == SCHED_CLASS_DL)
		timerq_cancel(&c->rq.dl_timers, &t->se.dl.timer);
}

static struct tk_thread *thread_of(struct sched_entity *se)
{
	return container_of(se, struct tk_thread, se);
}

static struct sched_entity *running_se(struct cpu *c)
{
	return c->current == c->idle ? 0 : &c->current->se;
}

/* Per-thread handler for overruns and misses (the SCHED_FLAG_DL_OVERRUN
 * idea); throttling or a new deadline means the choice may change. */
static void dl_events(struct cpu *c, struct tk_thread *t, unsigned ev)
{
	unsigned e = (ev & DL_EV_OVERRUN ? TK_EV_OVERRUN : 0u) | (ev & DL_EV_MISS ? TK_EV_MISS : 0u);

	if (e && t->dl_handler)
		t->dl_handler(t, e, t->dl_arg);
	if (ev & (DL_EV_THROTTLED | DL_EV_REPLENISHED | DL_EV_RUNNABLE))
		c->need_resched = true;
}

/* Time since the last charge goes to the running thread. */
static uint64_t account(struct cpu *c, uint64_t now)
{
	uint64_t d = now - c->last_ns;

	c->last_ns = now;
	c->current->cpu_ns += d;
	return d;
}

static void charge(struct cpu *c, uint64_t now)
{
	struct tk_thread *t = c->current;
	uint64_t d = account(c, now);

	if (t == c->idle || !t->on_rq)
		return;
	if (t->se.cls == SCHED_CLASS_DL)
		dl_events(c, t, rq_dl_charge(&c->rq, &t->se, now, d));
	else if (t->se.fp.slice && rq_fp_charge(&c->rq, &t->se, d))	/* FIFO: nothing to charge */
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

/* ---- the key other CPUs compare a wake-up against ---- */

static struct run_key key_of(const struct cpu *c, const struct tk_thread *t, uint64_t now)
{
	struct run_key k = { SCHED_CLASS_IDLE, 0, 0 };

	if (!t || t == c->idle)
		return k;
	k.cls = (uint8_t)t->se.cls;
	if (t->se.cls == SCHED_CLASS_DL) {
		/* a woken job whose deadline passed gets now + D (CBS wake rule) */
		k.deadline = t->se.dl.deadline > now ? t->se.dl.deadline : now + t->se.dl.dl_deadline;
	} else {
		k.prio = t->se.fp.prio;
	}
	uint64_t boost = t->boost_deadline > t->want_boost ? t->boost_deadline : t->want_boost;

	if (boost && (k.cls != SCHED_CLASS_DL || boost < k.deadline)) {
		k.cls = SCHED_CLASS_DL;
		k.deadline = boost;
	}
	return k;
}

static bool key_before(const struct run_key *a, const struct run_key *b)
{
	if (a->cls != b->cls)
		return a->cls > b->cls;
	if (a->cls == SCHED_CLASS_DL)
		return a->deadline < b->deadline;
	return a->cls == SCHED_CLASS_FP && a->prio > b->prio;
}

/* Post t on CPU h's wake list; IPI when it preempts what h runs. */
static void post(struct cpu *h, struct tk_thread *t, uint8_t flag, uint64_t now)
{
	struct cpu *c = cpu_self();
	struct run_key k = key_of(h, t, now);
	bool ipi;

	tk_spin_lock(&h->lock);
	t->wake_flags |= flag;
	if (flag == WAKE_WAKE)
		t->wake_ns = now;
	if (!t->on_wake_list) {
		t->on_wake_list = true;
		list_add_tail(&h->wake_list, &t->wake_node);
	}
	ipi = key_before(&k, &h->running);
	tk_spin_unlock(&h->lock);
	c->remote_wakes++;
	if (ipi)
		smp_send_ipi(h);
	else
		c->remote_wakes_no_ipi++;
}

/* ---- making a thread runnable on its own CPU ---- */

static void boost_apply(struct cpu *c, struct tk_thread *t, uint64_t deadline)
{
	if (t->boost_deadline == deadline)
		return;
	t->boost_deadline = deadline;
	list_del(&t->boost_node);
	if (deadline)
		list_add_tail(&c->boosted, &t->boost_node);
	c->need_resched = true;
}

static void fp_prio_apply(struct cpu *c, struct tk_thread *t, int prio)
{
	if (t->se.cls != SCHED_CLASS_FP || t->se.fp.prio == prio)
		return;
	if (t->on_rq)
		rq_fp_block(&c->rq, &t->se);
	t->se.fp.prio = (uint8_t)prio;
	if (t->on_rq)
		rq_fp_wakeup(&c->rq, &t->se);
	c->need_resched = true;
}

static void enqueue(struct cpu *c, struct tk_thread *t, uint64_t when)
{
	t->on_rq = true;
	if (t->boost_deadline && list_empty(&t->boost_node))	/* lent while elsewhere */
		list_add_tail(&c->boosted, &t->boost_node);
	if (t->se.cls == SCHED_CLASS_DL)
		dl_events(c, t, rq_dl_wakeup(&c->rq, &t->se, when));
	else
		rq_fp_wakeup(&c->rq, &t->se);
	if (t->boost_deadline || sched_preempt_check(running_se(c), &t->se))
		c->need_resched = true;
}

/* A woken thread on its home CPU c: its timeout is c's to cancel; a new
 * home chosen while it slept takes it from here. */
static void wake_here(struct cpu *c, struct tk_thread *t, uint64_t when)
{
	timerq_cancel(&c->sleepq, &t->tmo);
	if (t->next_cpu != c->id) {
		leave_timers(c, t);
		list_del(&t->boost_node);
		t->cpu = t->next_cpu;
		t->migrations++;
		load_add(c, -1);
		load_add(&cpus[t->cpu], 1);
		post(&cpus[t->cpu], t, WAKE_ARRIVE, when);
		return;
	}
	enqueue(c, t, when);
}

static void apply_post(struct cpu *c, struct tk_thread *t, uint8_t f, uint64_t now)
{
	if (f & WAKE_UPDATE) {
		boost_apply(c, t, t->want_boost);
		if (t->want_prio)
			fp_prio_apply(c, t, t->want_prio);
	}
	if (f & WAKE_WAKE)
		wake_here(c, t, t->wake_ns);
	else if (f & WAKE_ARRIVE)
		enqueue(c, t, now);
}

/* Take the wake list's posts one at a time under the lock, apply each
 * without: a post for the same thread meanwhile finds its node free and
 * queues it again. */
static void drain(struct cpu *c, uint64_t now)
{
	for (;;) {
		struct tk_thread *t;
		uint8_t f;

		tk_spin_lock(&c->lock);
		if (list_empty(&c->wake_list)) {
			tk_spin_unlock(&c->lock);
			return;
		}
		t = container_of(c->wake_list.next, struct tk_thread, wake_node);
		list_del(&t->wake_node);
		t->on_wake_list = false;
		f = t->wake_flags;
		t->wake_flags = 0;
		tk_spin_unlock(&c->lock);
		apply_post(c, t, f, now);
	}
}

/* Publish what runs next, unless more posts came meanwhile (then decide
 * again): a waker either sees the new key or its post is seen here. */
static bool publish(struct cpu *c, struct tk_thread *next, uint64_t now)
{
	bool done;

	tk_spin_lock(&c->lock);
	done = list_empty(&c->wake_list);
	if (done)
		c->running = key_of(c, next, now);
	tk_spin_unlock(&c->lock);
	return done;
}

/* ---- deciding and switching ---- */

void sched_finish_switch(void)
{
	struct cpu *c = cpu_self();
	struct tk_thread *p = c->switched_from;

	if (!p)
		return;
	c->switched_from = 0;
	if (p->migrate_to >= 0 && p->state == THREAD_READY) {
		struct cpu *to = &cpus[p->migrate_to];

		p->migrate_to = -1;
		p->cpu = p->next_cpu = (uint8_t)to->id;
		p->migrations++;
		load_add(c, -1);
		load_add(to, 1);
		__atomic_store_n(&p->on_cpu, false, __ATOMIC_RELEASE);
		post(to, p, WAKE_ARRIVE, tk_now_ns());
		return;
	}
	__atomic_store_n(&p->on_cpu, false, __ATOMIC_RELEASE);
	arch_cpu_kick();	/* a joiner may wait for this (sched_wait_off_cpu) */
}

/* Decide and switch; now is the caller's clock reading (one per path). */
static void schedule_at(uint64_t now)
{
	struct cpu *c = cpu_self();
	struct tk_thread *prev = c->current, *next;

	c->deciding = true;	/* charge() may call a thread's deadline handler */
	charge(c, now);
	c->deciding = false;
	do {
		drain(c, now);
		next = pick(c);
	} while (!publish(c, next, now));
	c->need_resched = false;
	program_timer(c, next, now);
	if (next == prev)
		return;
	check_stack(prev);
	if (prev == c->idle)
		c->idle_ns += now - c->idle_since;
	if (next == c->idle)
		c->idle_since = now;
	next->switches++;
	next->on_cpu = true;
	c->current = next;
	c->switched_from = prev;
	arch_context_switch(&prev->ctx, &next->ctx);
	sched_finish_switch();	/* back in prev, maybe on another CPU */
}

static void schedule(void)
{
	schedule_at(tk_now_ns());
}

bool sched_in_irq(void)
{
	return cpu_self()->irq_depth > 0;
}

void sched_irq_enter(void)
{
	cpu_self()->irq_depth++;
}

void sched_irq_exit(void)
{
	struct cpu *c = cpu_self();

	if (--c->irq_depth == 0 && c->need_resched && c->current)
		schedule();
}

void sched_preempt_point(void)
{
	struct cpu *c = cpu_self();

	if (c->need_resched && !c->irq_depth && !c->deciding && c->current) {
		unsigned held = klock_drop();	/* callers end their klock section here */

		schedule();
		klock_retake(held);
	}
}

void sched_timer_event(void)
{
	struct cpu *c = cpu_self();
	uint64_t now = tk_now_ns();
	struct timeout *to;
	struct sched_entity *se;
	unsigned ev;

	if (!c->current)
		return;
	/* A timed-out waiter leaves its wait queue under klock; a plain sleeper
	 * (clock_nanosleep) is in none, and its wake-up takes no lock: a CPU
	 * holding klock elsewhere must not delay this CPU's sleepers. The
	 * state's compare-and-swap settles a race with a waker. */
	while ((to = timerq_pop_expired(&c->sleepq, now))) {
		struct tk_thread *t = container_of(to, struct tk_thread, tmo);

		if (__atomic_load_n(&t->waitq, __ATOMIC_ACQUIRE)) {
			unsigned long f = klock();

			sched_wake(t, -ETIMEDOUT);
			kunlock(f);
		} else {
			sched_wake(t, -ETIMEDOUT);
		}
	}
	while ((se = rq_dl_expire(&c->rq, now, &ev)))
		dl_events(c, thread_of(se), ev);
	check_stack(c->current);
	c->need_resched = true;	/* charge the runner; budget or slice may be out */
}

/* Under klock (t may be in a wait queue), or t is a plain sleeper here. */
void sched_wake(struct tk_thread *t, int result)
{
	struct cpu *c = cpu_self();
	uint64_t now = tk_now_ns();

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
	if (t->cpu == c->id)
		wake_here(c, t, now);
	else
		post(&cpus[t->cpu], t, WAKE_WAKE, now);
}

/* Leave the run queue: the caller stops being runnable. */
static void dequeue_current(struct cpu *c, uint64_t now)
{
	struct tk_thread *t = c->current;
	uint64_t d = account(c, now);

	t->on_rq = false;
	if (t->se.cls == SCHED_CLASS_DL)
		dl_events(c, t, rq_dl_block(&c->rq, &t->se, now, d));
	else
		rq_fp_block(&c->rq, &t->se);
}

int sched_block(struct waitq *wq, uint64_t deadline)
{
	struct cpu *c = cpu_self();
	struct tk_thread *t = c->current;
	uint64_t now = tk_now_ns();
	unsigned held;

	if (deadline <= now)
		return -ETIMEDOUT;
	if (wq)
		waitq_insert(wq, t);
	if (deadline != TK_FOREVER)
		timerq_add(&c->sleepq, &t->tmo, deadline);
	t->wait_result = 0;
	dequeue_current(c, now);
	t->state = THREAD_BLOCKED;
	held = klock_drop();	/* a waker on another CPU may need it now */
	schedule_at(now);
	klock_retake(held);
	return t->wait_result;
}

void sched_yield_current(void)
{
	struct cpu *c = cpu_self();
	struct tk_thread *t = c->current;
	uint64_t now = tk_now_ns();

	if (t == c->idle)
		return;
	if (t->se.cls == SCHED_CLASS_DL) {
		dl_events(c, t, rq_dl_yield(&c->rq, &t->se, now, account(c, now)));
	} else {
		rq_fp_block(&c->rq, &t->se);	/* to the tail of its priority */
		rq_fp_wakeup(&c->rq, &t->se);
	}
	schedule_at(now);
}

static void dl_release(struct cpu *c, struct tk_thread *t)
{
	unsigned long f = tk_spin_lock_irqsave(&admit_lock);

	rq_dl_detach(&c->rq, &t->se);
	tk_spin_unlock_irqrestore(&admit_lock, f);
}

void sched_exit_current(void)
{
	struct cpu *c = cpu_self();
	struct tk_thread *t = c->current;

	klock_drop();
	dequeue_current(c, tk_now_ns());
	if (t->se.cls == SCHED_CLASS_DL)
		dl_release(c, t);
	load_add(c, -1);
	t->state = THREAD_EXITED;
	schedule();
	tk_panic("exited thread resumed");
}

void sched_add_thread(struct tk_thread *t)
{
	t->added = true;
	t->state = THREAD_BLOCKED;	/* sched_wake makes it ready */
	sched_wake(t, 0);
}

/* PI from the mutex code, under klock: applied here when t lives here,
 * else posted to t's CPU, which applies it at its next decision. */
void sched_set_fp_prio(struct tk_thread *t, int prio)
{
	struct cpu *c = cpu_self();

	if (t->cpu == c->id) {
		t->want_prio = 0;
		fp_prio_apply(c, t, prio);
	} else {
		t->want_prio = prio;
		post(&cpus[t->cpu], t, WAKE_UPDATE, tk_now_ns());
	}
}

void sched_set_dl_boost(struct tk_thread *t, uint64_t deadline)
{
	struct cpu *c = cpu_self();

	if (t->cpu == c->id) {
		t->want_boost = deadline;
		boost_apply(c, t, deadline);
	} else {
		t->want_boost = deadline;
		post(&cpus[t->cpu], t, WAKE_UPDATE, tk_now_ns());
	}
}

/* ---- parameters, on t's own CPU (or any CPU before t is added) ---- */

static bool queued(const struct tk_thread *t)
{
	return t->on_rq;
}

/* Fixed priority -> new fixed priority or slice. */
static int set_fp(struct cpu *c, struct tk_thread *t, const struct tk_sched *s)
{
	uint64_t slice = s->policy == TK_SCHED_RR ? (s->rr_slice_ns ? s->rr_slice_ns : TK_RR_SLICE_DEFAULT) : 0;
	bool q = queued(t);

	if (s->prio < TK_PRIO_MIN || s->prio > TK_PRIO_MAX)
		return -EINVAL;
	if (t->se.cls == SCHED_CLASS_DL) {
		if (q)
			rq_dl_block(&c->rq, &t->se, tk_now_ns(), t == c->current ? account(c, tk_now_ns()) : 0);
		dl_release(c, t);
	} else if (q) {
		rq_fp_block(&c->rq, &t->se);
	}
	t->se.cls = SCHED_CLASS_FP;
	fp_entity_init(&t->se.fp, s->prio, slice);
	if (q)
		rq_fp_wakeup(&c->rq, &t->se);
	return 0;
}

static int set_dl(struct cpu *c, struct tk_thread *t, const struct tk_sched *s)
{
	struct dl_params p = { s->runtime, s->deadline, s->period };
	bool q = queued(t);
	unsigned long f;
	int err;

	err = dl_check_params(&p);
	if (err)
		return err;
	f = tk_spin_lock_irqsave(&admit_lock);
	if (t->se.cls == SCHED_CLASS_DL) {
		err = rq_dl_change(&c->rq, &t->se, &p);
		tk_spin_unlock_irqrestore(&admit_lock, f);
		return err;
	}
	if (q)
		rq_fp_block(&c->rq, &t->se);
	err = rq_dl_attach(&c->rq, &t->se, &p);
	tk_spin_unlock_irqrestore(&admit_lock, f);
	if (err) {
		if (q)
			rq_fp_wakeup(&c->rq, &t->se);
		return err;
	}
	t->se.cls = SCHED_CLASS_DL;
	if (q)
		dl_events(c, t, rq_dl_wakeup(&c->rq, &t->se, tk_now_ns()));
	return 0;
}

/* A new deadline thread goes where its bandwidth fits best: the CPU of its
 * mask with the most room left under the bound (worst fit, so that the
 * heavy ones that come later still find room). -EBUSY: it fits nowhere. */
static int place_dl_new(struct tk_thread *t, const struct dl_params *p)
{
	uint64_t bw = dl_to_ratio(p->period ? p->period : p->deadline, p->runtime);
	uint32_t m = t->affinity & smp_online_mask();
	int best = -1;
	unsigned long f = tk_spin_lock_irqsave(&admit_lock);

	for (unsigned i = 0; i < TK_CPUS_MAX; i++) {
		const struct dl_bw *b = &cpus[i].rq.bw;

		if (!(m & (1u << i)) || b->total_bw + bw > b->bound_bw)
			continue;
		if (best < 0 || b->total_bw < cpus[best].rq.bw.total_bw)
			best = (int)i;
	}
	tk_spin_unlock_irqrestore(&admit_lock, f);
	if (best < 0)
		return -EBUSY;
	if ((unsigned)best != t->cpu) {
		load_add(&cpus[t->cpu], -1);
		load_add(&cpus[best], 1);
		t->cpu = t->next_cpu = (uint8_t)best;
	}
	return 0;
}

struct set_req {
	struct tk_thread *t;
	const struct tk_sched *s;
	int err;
};

static int set_params_on(struct cpu *c, struct tk_thread *t, const struct tk_sched *s)
{
	if (s->policy == TK_SCHED_FIFO || s->policy == TK_SCHED_RR)
		return set_fp(c, t, s);
	if (s->policy == TK_SCHED_DEADLINE)
		return set_dl(c, t, s);
	return -EINVAL;
}

/* On t's CPU, or anywhere before t is added (then a deadline thread is
 * placed first: its CPU may change). */
static void set_params_here(void *arg)
{
	struct set_req *r = arg;
	struct tk_thread *t = r->t;
	const struct tk_sched *s = r->s;
	struct cpu *c;

	if (t->added && t->cpu != cpu_self()->id) {
		r->err = -EAGAIN;	/* it moved meanwhile: ask its new CPU */
		return;
	}
	if (!t->added && s->policy == TK_SCHED_DEADLINE && t->se.cls != SCHED_CLASS_DL) {
		struct dl_params p = { s->runtime, s->deadline, s->period };

		r->err = dl_check_params(&p);
		if (!r->err)
			r->err = place_dl_new(t, &p);
		if (r->err)
			return;
	}
	c = &cpus[t->cpu];
	r->err = set_params_on(c, t, s);
	if (r->err == 0) {
		t->sched = *s;
		if (c == cpu_self())
			c->need_resched = true;
	}
}

int sched_set_params(struct tk_thread *t, const struct tk_sched *s)
{
	struct set_req r = { t, s, -EAGAIN };

	while (r.err == -EAGAIN) {
		unsigned long f = arch_irq_save();

		if (!t->added || t->cpu == cpu_self()->id) {
			set_params_here(&r);
			arch_irq_restore(f);
		} else {
			arch_irq_restore(f);
			smp_call(&cpus[t->cpu], set_params_here, &r);
		}
	}
	return r.err;
}

int sched_set_bound(unsigned percent)
{
	unsigned long f;
	int err = 0;

	if (percent < 1 || percent > 100)
		return -EINVAL;
	f = tk_spin_lock_irqsave(&admit_lock);
	for (unsigned i = 0; i < smp_ncpus && !err; i++)
		if (cpus[i].rq.bw.total_bw > ((uint64_t)percent << BW_SHIFT) / 100)
			err = -EBUSY;
	for (unsigned i = 0; i < TK_CPUS_MAX && !err; i++)
		dl_bw_set_bound(&cpus[i].rq.bw, ((uint64_t)percent << BW_SHIFT) / 100);
	tk_spin_unlock_irqrestore(&admit_lock, f);
	return err;
}

/* ---- placement and moves ---- */

static uint32_t usable(uint32_t mask)
{
	return mask & smp_online_mask();
}

/* The least loaded CPU of mask (threads living there), the caller's on a tie. */
static unsigned least_loaded(uint32_t mask)
{
	unsigned best = cpu_self()->id;

	if (!(mask & (1u << best)))
		best = (unsigned)__builtin_ctz(mask);
	for (unsigned i = 0; i < smp_ncpus; i++)
		if ((mask & (1u << i)) && cpus[i].nthreads < cpus[best].nthreads)
			best = i;
	return best;
}

void sched_place_new(struct tk_thread *t)
{
	uint32_t m = usable(t->affinity);
	unsigned cpu = least_loaded(m ? m : 1u);

	t->cpu = t->next_cpu = (uint8_t)cpu;
	t->migrate_to = -1;
	load_add(&cpus[cpu], 1);
}

struct move_req {
	struct tk_thread *t;
	unsigned to;
};

/* On t's CPU: send t to another. */
static void move_here(void *arg)
{
	struct move_req *r = arg;
	struct tk_thread *t = r->t;
	struct cpu *c = cpu_self(), *to = &cpus[r->to];

	if (t->cpu != c->id || t->state == THREAD_EXITED)
		return;
	if (!t->on_rq) {	/* blocked, or its wake-up still in our wake list */
		t->next_cpu = (uint8_t)to->id;	/* moved at its wake-up (wake_here) */
		return;
	}
	t->on_rq = false;
	if (t->se.cls == SCHED_CLASS_DL)
		rq_dl_block(&c->rq, &t->se, tk_now_ns(), t == c->current ? account(c, tk_now_ns()) : 0);
	else
		rq_fp_block(&c->rq, &t->se);
	list_del(&t->boost_node);
	leave_timers(c, t);
	if (t == c->current) {	/* leaves once switched out (sched_finish_switch) */
		t->migrate_to = (int8_t)to->id;
		c->need_resched = true;
		return;
	}
	t->cpu = t->next_cpu = (uint8_t)to->id;
	t->migrations++;
	load_add(c, -1);
	load_add(to, 1);
	post(to, t, WAKE_ARRIVE, tk_now_ns());
}

static int move_dl_bw(struct tk_thread *t, unsigned to)
{
	struct dl_params p = { t->se.dl.dl_runtime, t->se.dl.dl_deadline, t->se.dl.dl_period };
	unsigned long f = tk_spin_lock_irqsave(&admit_lock);
	int err = dl_bw_admit(&cpus[to].rq.bw, &p);

	if (!err)
		dl_bw_release(&cpus[t->cpu].rq.bw, &p);
	tk_spin_unlock_irqrestore(&admit_lock, f);
	return err;
}

int sched_set_affinity(struct tk_thread *t, uint32_t mask)
{
	uint32_t m = usable(mask);
	struct move_req r = { t, 0 };
	int err;

	if (!mask || m != mask)
		return -EINVAL;
	t->affinity = mask;
	if (!t->added || (mask & (1u << t->cpu)))
		return 0;	/* a new thread is placed when added */
	r.to = least_loaded(mask);
	if (t->se.cls == SCHED_CLASS_DL && (err = move_dl_bw(t, r.to)))
		return err;
	smp_call(&cpus[t->cpu], move_here, &r);
	sched_preempt_point();
	return 0;
}

/* ---- start ---- */

/* Idle: wait for an interrupt; its exit path switches to whatever woke. */
void *sched_idle_entry(void *arg)
{
	(void)arg;
	for (;;)
		arch_wait_for_irq();
	return 0;
}

static void cpu_sched_init(struct cpu *c, struct tk_thread *idle)
{
	rq_init(&c->rq);
	timerq_init(&c->sleepq);
	c->idle = idle;
	idle->cpu = idle->next_cpu = (uint8_t)c->id;
	idle->affinity = 1u << c->id;
	idle->migrate_to = -1;
	idle->added = true;
}

void sched_start(struct tk_thread *main_thread, struct tk_thread *idle_thread)
{
	struct cpu *c = cpu_self();

	cpu_sched_init(c, idle_thread);
	main_thread->affinity = ~0u;
	main_thread->migrate_to = -1;
	main_thread->cpu = main_thread->next_cpu = (uint8_t)c->id;
	load_add(c, 1);
	c->current = main_thread;
	main_thread->on_cpu = true;
	main_thread->switches = 1;
	c->last_ns = tk_now_ns();
	main_thread->added = true;
	main_thread->state = THREAD_BLOCKED;
	sched_wake(main_thread, 0);
	c->need_resched = false;
	c->running = key_of(c, main_thread, c->last_ns);
}

void sched_cpu_prepare(struct cpu *c, void *stack, size_t size)
{
	cpu_sched_init(c, thread_new_idle(c->id, stack, size));
}

/* On the secondary itself: it runs as its idle thread from here. */
void sched_cpu_start(struct cpu *c)
{
	c->current = c->idle;
	c->idle->on_cpu = true;
	c->last_ns = c->idle_since = tk_now_ns();
	c->running = key_of(c, c->idle, c->last_ns);
}

/* A new thread that will not be added after all (its parameters failed). */
void sched_forget_new(struct tk_thread *t)
{
	load_add(&cpus[t->cpu], -1);
}

/* ---- CPU-time clocks ---- */

static uint64_t cpu_ns_of(const struct tk_thread *t, uint64_t now)
{
	const struct cpu *c = &cpus[t->cpu];

	return t->cpu_ns + (c->current == t && now > c->last_ns ? now - c->last_ns : 0);
}

uint64_t tk_thread_cpu_ns(tk_thread_t *t)
{
	unsigned long f = arch_irq_save();
	uint64_t ns;

	if (!t)
		t = cpu_self()->current;
	ns = t ? cpu_ns_of(t, tk_now_ns()) : 0;
	arch_irq_restore(f);
	return ns;
}

static void add_cpu_ns(tk_thread_t *t, void *arg)
{
	*(uint64_t *)arg += cpu_ns_of(t, tk_now_ns());
}

uint64_t tk_process_cpu_ns(void)
{
	uint64_t sum = 0;

	tk_thread_foreach(add_cpu_ns, &sum);
	return sum;
}
