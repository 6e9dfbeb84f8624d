/* Priority inheritance over mutex wait chains (see pi.h). */
#include <errno.h>

#include "pi.h"

bool pi_key_before(const struct pi_key *a, const struct pi_key *b)
{
	if (a->cls != b->cls)
		return a->cls > b->cls;
	if (a->cls == SCHED_CLASS_DL)
		return a->deadline < b->deadline;
	if (a->cls == SCHED_CLASS_FP)
		return a->prio > b->prio;
	return false;
}

static bool key_equal(const struct pi_key *a, const struct pi_key *b)
{
	return !pi_key_before(a, b) && !pi_key_before(b, a);
}

void pi_thread_init(struct pi_thread *t, const struct pi_key *base)
{
	t->base = *base;
	t->eff = *base;
	t->blocked_on = NULL;
	list_init(&t->wait_node);
	list_init(&t->held);
}

void pi_mutex_init(struct pi_mutex *m)
{
	m->owner = NULL;
	list_init(&m->waiters);
	list_init(&m->held_node);
}

/* max(base, eff of every waiter of every mutex t holds). The waiters' eff
 * are up to date: changes propagate bottom-up (propagate()). */
static struct pi_key compute_eff(const struct pi_thread *t)
{
	struct pi_key k = t->base;
	const struct list_node *mn, *wn;

	list_for_each(mn, &t->held) {
		const struct pi_mutex *m = container_of(mn, struct pi_mutex, held_node);

		list_for_each(wn, &m->waiters) {
			const struct pi_thread *w = container_of(wn, struct pi_thread, wait_node);

			if (pi_key_before(&w->eff, &k))
				k = w->eff;
		}
	}
	return k;
}

/* Recompute t, then each owner up the chain, stopping at the first owner
 * whose eff does not change (nothing above it can change either). Ends:
 * pi_block never lets the chain close into a cycle. */
static void propagate(struct pi_thread *t)
{
	for (bool first = true; t; first = false) {
		struct pi_key k = compute_eff(t);

		if (!first && key_equal(&k, &t->eff))
			return;
		t->eff = k;
		t = t->blocked_on ? t->blocked_on->owner : NULL;
	}
}

int pi_acquire(struct pi_mutex *m, struct pi_thread *t)
{
	if (m->owner)
		return -EBUSY;
	if (t->blocked_on)
		return -EINVAL;
	m->owner = t;
	list_add_tail(&t->held, &m->held_node);
	propagate(t); /* m may have waiters already (hand-off): inherit them */
	return 0;
}

void pi_adopt(struct pi_mutex *m, struct pi_thread *t)
{
	if (m->owner == t)
		return;
	if (m->owner)
		pi_release(m);
	m->owner = t;
	list_add_tail(&t->held, &m->held_node);
	propagate(t);
}

void pi_release(struct pi_mutex *m)
{
	struct pi_thread *owner = m->owner;

	if (!owner)
		return;
	list_del(&m->held_node);
	m->owner = NULL;
	propagate(owner);
}

/* Would t waiting on m close a cycle (or a too long chain)? Walk the owners
 * from m: each thread waits on at most one mutex, so this is a path. */
static bool closes_cycle(const struct pi_thread *t, const struct pi_mutex *m)
{
	const struct pi_thread *o = m->owner;

	for (int depth = 0; o; depth++) {
		if (o == t || depth >= PI_MAX_DEPTH)
			return true;
		o = o->blocked_on ? o->blocked_on->owner : NULL;
	}
	return false;
}

int pi_block(struct pi_thread *t, struct pi_mutex *m)
{
	if (t->blocked_on || !m->owner || m->owner == t)
		return -EINVAL;
	if (closes_cycle(t, m))
		return -EDEADLK;
	t->blocked_on = m;
	list_add_tail(&m->waiters, &t->wait_node);
	propagate(m->owner);
	return 0;
}

void pi_unblock(struct pi_thread *t)
{
	struct pi_mutex *m = t->blocked_on;

	if (!m)
		return;
	list_del(&t->wait_node);
	t->blocked_on = NULL;
	if (m->owner)
		propagate(m->owner);
}

void pi_set_base(struct pi_thread *t, const struct pi_key *base)
{
	t->base = *base;
	propagate(t);
}

const struct pi_thread *pi_donor(const struct pi_thread *t)
{
	for (int depth = 0; depth <= PI_MAX_DEPTH; depth++) {
		const struct list_node *mn, *wn;
		const struct pi_thread *next = NULL;

		if (key_equal(&t->eff, &t->base))
			return t;
		list_for_each(mn, &t->held) {
			const struct pi_mutex *m = container_of(mn, struct pi_mutex, held_node);

			list_for_each(wn, &m->waiters) {
				const struct pi_thread *w =
					container_of(wn, struct pi_thread, wait_node);

				if (!next && key_equal(&w->eff, &t->eff))
					next = w;
			}
		}
		if (!next)
			return t;
		t = next;
	}
	return t;
}
