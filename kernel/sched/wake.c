/*
 * The cross-CPU side of the scheduler (see core.c): a thread's rq, sleep
 * queue entry and boost list belong to its home CPU, and other CPUs reach
 * them only through that CPU's wake list. A post (wake-up, arrival, a lent
 * priority or deadline) goes on the list under the CPU's lock, with an IPI
 * only when the thread would preempt the key the CPU published at its last
 * decision; the CPU applies the posts when it next decides.
 */
#include <errno.h>

#include <takt/log.h>
#include <takt/time.h>

#include "core_impl.h"

/* ---- the key other CPUs compare a wake-up against ---- */

bool key_before(const struct run_key *a, const struct run_key *b)
{
	if (a->cls != b->cls)
		return a->cls > b->cls;
	if (a->cls == SCHED_CLASS_DL)
		return a->deadline < b->deadline;
	return a->cls == SCHED_CLASS_FP && a->prio > b->prio;
}

/* t's home CPU, locked. t->cpu changes only under the old home's lock
 * (cpu_hand_over), so a post never lands on a CPU t has left: the wake
 * node is on at most one list, its home's. */
static struct cpu *lock_home(struct tk_thread *t)
{
	for (;;) {
		struct cpu *h = &cpus[__atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE)];

		tk_spin_lock(&h->lock);
		if (t->cpu == h->id)
			return h;
		tk_spin_unlock(&h->lock);	/* it moved meanwhile */
	}
}

/* h's published key, read from another CPU: retried while h writes it. */
static struct run_key running_read(const struct cpu *h)
{
	struct run_key k;
	uint32_t s;

	do {
		s = __atomic_load_n(&h->running_seq, __ATOMIC_ACQUIRE);
		k.cls = __atomic_load_n(&h->running.cls, __ATOMIC_RELAXED);
		k.prio = __atomic_load_n(&h->running.prio, __ATOMIC_RELAXED);
		k.deadline = __atomic_load_n(&h->running.deadline, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((s & 1) || s != __atomic_load_n(&h->running_seq, __ATOMIC_RELAXED));
	return k;
}

/* h locked, t's home: add flags to t's post there; true when an IPI is due. */
static bool post_locked(struct cpu *h, struct tk_thread *t, uint8_t flags, uint64_t now)
{
	struct run_key k = run_key_of(h, t, now), r;

	t->wake_flags |= flags;
	if (!t->on_wake_list) {
		t->on_wake_list = true;
		list_add_tail(&h->wake_list, &t->wake_node);
	}
	/* the post, then the look at h's key; h publishes its key, then looks
	 * at its list (wake_publish_key): with a full fence on each side, h
	 * sees this post or this sees h's new key */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	r = running_read(h);
	/* a help request is for a thread that does not preempt there, and a new
	 * placement should not wait: always */
	return key_before(&k, &r) || (flags & (WAKE_HELP | WAKE_PLACE));
}

static void post_sent(struct cpu *h, bool ipi)
{
	struct cpu *c = cpu_self();

	if (h == c) {	/* t came here meanwhile: no IPI to ourselves */
		c->need_resched |= ipi;
		return;
	}
	c->remote_wakes++;
	if (ipi)
		smp_send_ipi(h);
	else
		c->remote_wakes_no_ipi++;
}

void cpu_post(struct tk_thread *t, uint8_t flag, uint64_t now)
{
	struct cpu *h = lock_home(t);
	bool ipi;

	if (flag == WAKE_WAKE)
		t->wake_ns = now;
	ipi = post_locked(h, t, flag, now);
	tk_spin_unlock(&h->lock);
	post_sent(h, ipi);
}

/* On t's home c: t now lives on `to`. A post still waiting in c's list
 * goes along (an update, help request, or the wake-up of a thread that
 * blocked while leaving), with the arrival. */
void cpu_move_posts(struct cpu *c, struct tk_thread *t, struct cpu *to, uint64_t now)
{
	uint8_t carried = 0;
	bool ipi;

	tk_spin_lock(&c->lock);
	if (t->on_wake_list) {
		list_del(&t->wake_node);
		t->on_wake_list = false;
		carried = t->wake_flags;
		t->wake_flags = 0;
	}
	__atomic_store_n(&t->cpu, (uint8_t)to->id, __ATOMIC_RELEASE);
	tk_spin_unlock(&c->lock);
	tk_spin_lock(&to->lock);
	ipi = post_locked(to, t, carried | WAKE_ARRIVE, now);
	tk_spin_unlock(&to->lock);
	post_sent(to, ipi);
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

static void apply_post(struct cpu *c, struct tk_thread *t, uint8_t f, uint64_t now)
{
	if (t->cpu != c->id)
		tk_panic("sched: cpu %u: a post for '%s', which lives on cpu %u", c->id, t->name, t->cpu);
	if (f & WAKE_UPDATE) {
		boost_apply(c, t, t->want_boost);
		if (t->want_prio)
			fp_prio_apply(c, t, t->want_prio);
	}
	if (f & WAKE_PLACE)
		place_apply(c, t, now);
	if (f & WAKE_WAKE)
		wake_here(c, t, t->wake_ns);
	else if ((f & WAKE_ARRIVE) && wants_queue(c, t)) {
		if (t->next_cpu != c->id)	/* re-placed on the way */
			cpu_hand_over(c, t, &cpus[t->next_cpu], now);
		else
			cpu_enqueue(c, t, now);
	}
	if (f & WAKE_HELP)
		help_apply(c, t, now);
}

/* Take the wake list's posts one at a time under the lock, apply each
 * without: a post for the same thread meanwhile finds its node free and
 * queues it again. */
void wake_drain_posts(struct cpu *c, uint64_t now)
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

/* Publish what runs next, then look for posts that came meanwhile (then
 * decide again): a waker either sees the new key or its post is seen here
 * (the fences pair with post_locked's). No lock: the key is this CPU's to
 * write, and a seqcount lets wakers read it whole. A key published and then
 * decided again is what ran in between; a waker that compared against it
 * without an IPI left its post in the list, seen by the decision to come.
 * An unchanged key needs no publishing: a post that came meanwhile compared
 * against the right key (and sent the IPI that key called for), and is
 * applied at the next decision. */
bool wake_publish_key(struct cpu *c, const struct run_key *k)
{
	uint32_t s = c->running_seq;

	__atomic_store_n(&c->running_seq, s + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&c->running.cls, k->cls, __ATOMIC_RELAXED);
	__atomic_store_n(&c->running.prio, k->prio, __ATOMIC_RELAXED);
	__atomic_store_n(&c->running.deadline, k->deadline, __ATOMIC_RELAXED);
	__atomic_store_n(&c->running_seq, s + 2, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&c->wake_list.next, __ATOMIC_RELAXED) == &c->wake_list;
}

void sched_set_fp_prio(struct tk_thread *t, int prio)
{
	struct cpu *c = cpu_self();

	if (t->cpu == c->id) {
		t->want_prio = 0;
		fp_prio_apply(c, t, prio);
	} else {
		t->want_prio = prio;
		cpu_post(t, WAKE_UPDATE, tk_now_ns());
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
		cpu_post(t, WAKE_UPDATE, tk_now_ns());
	}
}
