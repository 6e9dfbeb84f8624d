/* Placement of new threads and moves between CPUs (see core.c): a
 * fixed-priority thread on the least loaded CPU of its mask, a deadline
 * thread where its bandwidth fits best (params.c); a move runs on the
 * thread's own CPU (a cross-call) and ends in an arrival post. */
#include <errno.h>

#include <takt/log.h>
#include <takt/time.h>

#include "core_impl.h"

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
	cpu_load_add(&cpus[cpu], 1);
}

struct move_req {
	struct tk_thread *t;
	unsigned to;
	int err;
};

/* On t's CPU: send t to another. */
static void move_here(void *arg)
{
	struct move_req *r = arg;
	struct tk_thread *t = r->t;
	struct cpu *c = cpu_self(), *to = &cpus[r->to];

	r->err = 0;
	if (t->cpu != c->id) {
		r->err = -EAGAIN;	/* it moved meanwhile: ask its new CPU */
		return;
	}
	if (t->state == THREAD_EXITED)
		return;
	if (!t->on_rq) {	/* blocked, or its wake-up still in our wake list */
		t->next_cpu = (uint8_t)to->id;	/* moved at its wake-up (wake_here) */
		return;
	}
	cpu_take_out(c, t, tk_now_ns());
	if (t == c->current) {	/* leaves once switched out (sched_finish_switch) */
		t->migrate_to = (int8_t)to->id;
		c->need_resched = true;
		return;
	}
	cpu_hand_over(c, t, to, tk_now_ns());
}

/* Every CPU t's deadline share lies on is in mask. */
static bool pieces_in(const struct tk_thread *t, uint32_t mask)
{
	for (unsigned i = 0; i < t->placed.npieces; i++)
		if (!(mask & (1u << t->placed.piece[i].cpu)))
			return false;
	return true;
}

/* On t's CPU: t takes its new placement over and moves there. */
static void replace_here(void *arg)
{
	struct move_req *r = arg;
	struct tk_thread *t = r->t;
	struct cpu *c = cpu_self();

	if (t->cpu != c->id) {
		r->err = -EAGAIN;	/* it moved meanwhile: ask its new CPU */
		return;
	}
	r->err = 0;
	sched_dl_replace(c, t, tk_now_ns());
}

/* A deadline thread's share leaves CPUs outside mask: placed anew on mask
 * (whole, or split over two), or -EBUSY with nothing changed. */
static int dl_move(struct tk_thread *t, uint32_t mask)
{
	struct move_req r = { t, 0, -EAGAIN };

	if (sched_dl_move_share(t, mask, least_loaded(mask)) < 0)
		return -EBUSY;
	t->affinity = mask;
	while (r.err == -EAGAIN)
		smp_call(&cpus[__atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE)], replace_here, &r);
	sched_preempt_point();
	return 0;
}

int sched_set_affinity(struct tk_thread *t, uint32_t mask)
{
	uint32_t m = usable(mask);
	struct move_req r = { t, 0, -EAGAIN };

	if (!mask || m != mask)
		return -EINVAL;
	if (t->added && t->se.cls == SCHED_CLASS_DL && t->placed.npieces) {
		if (!pieces_in(t, mask))
			return dl_move(t, mask);
		t->affinity = mask;	/* its share stays where it is */
		return 0;
	}
	if (!t->added || (mask & (1u << t->cpu))) {
		t->affinity = mask;
		return 0;	/* a new thread is placed when added */
	}
	r.to = least_loaded(mask);
	t->affinity = mask;
	while (r.err == -EAGAIN)
		smp_call(&cpus[__atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE)], move_here, &r);
	sched_preempt_point();
	return 0;
}

/* A new thread that will not be added after all (its parameters failed). */
void sched_forget_new(struct tk_thread *t)
{
	cpu_load_add(&cpus[t->cpu], -1);
	if (t->placed.npieces) {	/* placed, then refused later: its share back */
		unsigned long f = tk_spin_lock_irqsave(&sched_admit_lock);

		place_release(sched_places(), &t->placed);
		t->placed.npieces = 0;
		tk_spin_unlock_irqrestore(&sched_admit_lock, f);
	}
}
