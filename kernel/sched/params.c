/* Scheduling classes and parameters, and the deadline class's admission on
 * every CPU (see core.c; sched-deadline.rst 4.1 per CPU). */
#include <errno.h>
#include <stdlib.h>

#include <takt/log.h>
#include <takt/time.h>

#include "core_impl.h"

tk_spinlock_t sched_admit_lock = TK_SPINLOCK_INIT;

/* Every CPU's deadline shares and pieces (place.h), under sched_admit_lock:
 * from the heap once an app asks for a deadline thread or sets the bound
 * (sched_places_prepare), since it is 10 KiB and most apps never do. */
static struct place_sys *places;

int sched_places_prepare(void)
{
	struct place_sys *p;

	if (__atomic_load_n(&places, __ATOMIC_ACQUIRE))
		return 0;
	p = malloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	place_init(p, TK_CPUS_MAX);
	if (!__atomic_compare_exchange_n(&places, &(struct place_sys *){ 0 }, p, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		free(p);	/* another thread's came first */
	return 0;
}

struct place_sys *sched_places(void)
{
	/* CPUs come online after boot: the split limit (m - 1) counts those */
	places->ncpus = 32u - (unsigned)__builtin_clz(smp_online_mask() | 1u);
	return places;
}

static struct place_params place_params_of(const struct dl_params *p)
{
	struct place_params q = { p->runtime, p->deadline, p->period ? p->period : p->deadline };

	return q;
}

void sched_dl_release(struct cpu *c, struct tk_thread *t)
{
	unsigned long f = tk_spin_lock_irqsave(&sched_admit_lock);

	rq_dl_leave(&c->rq, &t->se);
	t->se.cls = SCHED_CLASS_IDLE;
	if (t->placed.npieces)
		place_release(sched_places(), &t->placed);
	t->placed.npieces = 0;
	t->run.npieces = 0;
	t->piece = 0;
	tk_spin_unlock_irqrestore(&sched_admit_lock, f);
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

	if (s->prio < TK_PRIO_MIN || s->prio > TK_PRIO_MAX ||
	    (slice && (slice < TK_RR_SLICE_MIN || slice > TK_RR_SLICE_MAX)))
		return -EINVAL;
	if (t->se.cls == SCHED_CLASS_DL) {
		if (q)
			rq_dl_block(&c->rq, &t->se, tk_now_ns(), t == c->current ? sched_account(c, tk_now_ns()) : 0);
		sched_dl_release(c, t);
	} else if (q) {
		rq_fp_block(&c->rq, &t->se);
	}
	t->se.cls = SCHED_CLASS_FP;
	fp_entity_init(&t->se.fp, s->prio, slice);
	if (q)
		rq_fp_wakeup(&c->rq, &t->se);
	return 0;
}

/* Admit p for t on a CPU of `first` if its exact test passes there, else
 * wherever on mask one does, or split over two of mask.
 * @retval 0 (t->placed filled), -EBUSY (no placement: nothing changed) */
static int admit(struct tk_thread *t, const struct dl_params *p, uint32_t first, uint32_t mask)
{
	struct place_params pp = place_params_of(p);
	unsigned long f = tk_spin_lock_irqsave(&sched_admit_lock);
	struct place_sys *s = sched_places();
	int err = place_admit(s, &pp, first, &t->placed);

	if (err && mask != first)
		err = place_admit(s, &pp, mask, &t->placed);
	tk_spin_unlock_irqrestore(&sched_admit_lock, f);
	return err == -ENOSPC ? -EBUSY : err;
}

/* New parameters p for the deadline thread t on c: it stays on c, whole,
 * if they fit there (the job in progress keeps its deadline); else it is
 * placed anew on its mask, whole elsewhere or split over two, and moves
 * there (sched_dl_replace: the new parameters hold from its next job).
 * @retval 0, -EBUSY (no placement: nothing changed) */
static int change_dl(struct cpu *c, struct tk_thread *t, const struct dl_params *p)
{
	struct place_params pp = place_params_of(p);
	uint32_t mask = t->affinity & smp_online_mask();
	unsigned long f = tk_spin_lock_irqsave(&sched_admit_lock);
	struct place_sys *s = sched_places();
	bool here = t->placed.npieces == 1 && t->run.npieces == 1 && t->run.piece[0].cpu == c->id;
	int err = here ? place_change(s, &t->placed, &pp, 1u << c->id, &t->placed) : -EBUSY;

	if (err == -EBUSY || err == -ENOSPC) {
		here = false;
		err = place_change(s, &t->placed, &pp, mask, &t->placed);
	}
	if (!err && here)
		t->run = t->placed;
	tk_spin_unlock_irqrestore(&sched_admit_lock, f);
	if (err)
		return err == -ENOSPC ? -EBUSY : err;
	if (here)
		return rq_dl_set_params(&c->rq, &t->se, p);
	sched_dl_replace(c, t, tk_now_ns());
	return 0;
}

/* A thread placed already (new, place_dl_new) or becoming DL where it is. */
static int set_dl(struct cpu *c, struct tk_thread *t, const struct tk_sched *s)
{
	struct dl_params p = { s->runtime, s->deadline, s->period }, q;
	bool was_queued = queued(t);
	int err;

	err = dl_check_params(&p);
	if (err)
		return err;
	if (t->se.cls == SCHED_CLASS_DL)
		return change_dl(c, t, &p);
	if (!t->placed.npieces) {
		err = admit(t, &p, 1u << c->id, 1u << c->id);
		if (err)
			return err;
	}
	if (was_queued)
		rq_fp_block(&c->rq, &t->se);
	t->run = t->placed;	/* not a deadline thread until now: no repack moved it */
	q = split_params(t, &p);
	rq_dl_init(&t->se, &q);	/* valid: p was, and place.c's pieces are */
	t->piece = 0;
	if (was_queued)
		sched_dl_events(c, t, rq_dl_wakeup(&c->rq, &t->se, tk_now_ns()));
	return 0;
}

/* Threads living on CPU i besides t. */
static unsigned others(const struct tk_thread *t, unsigned i)
{
	return cpus[i].nthreads - (t->cpu == i);
}

/* The CPU of mask with the least deadline load; among equals the one with
 * the fewest threads (not the one the network stack is pinned to, say). */
static int least_dl_loaded(const struct tk_thread *t, uint32_t m)
{
	int best = -1;
	uint64_t lb = 0;

	for (unsigned i = 0; i < TK_CPUS_MAX; i++) {
		if (!(m & (1u << i)))
			continue;
		uint64_t l = place_cpu_load(places, i);

		if (best < 0 || l < lb || (l == lb && others(t, i) < others(t, (unsigned)best))) {
			best = (int)i;
			lb = l;
		}
	}
	return best;
}

/* A new deadline thread goes where its share fits best: worst fit (the CPU
 * with the most room, so that heavy ones coming later still find some),
 * else any CPU of its mask whose exact test passes, else split C=D over two
 * (split.c), else every deadline thread is placed again with it (repack.c).
 * -EBUSY: no placement exists. */
static int place_dl_new(struct tk_thread *t, const struct dl_params *p)
{
	uint32_t m = t->affinity & smp_online_mask();
	int best = least_dl_loaded(t, m), err;

	err = best < 0 ? -EBUSY : admit(t, p, 1u << best, m);
	if (err == -EBUSY && best >= 0)
		err = sched_dl_repack(t, p, m);
	if (err)
		return err;
	best = t->placed.piece[0].cpu;
	if ((unsigned)best != t->cpu) {
		cpu_load_add(&cpus[t->cpu], -1);
		cpu_load_add(&cpus[best], 1);
		t->cpu = t->next_cpu = (uint8_t)best;
	}
	return 0;
}

int sched_dl_move_share(struct tk_thread *t, uint32_t mask, unsigned first)
{
	struct place_params pp = { t->sched.runtime, t->sched.deadline,
				   t->sched.period ? t->sched.period : t->sched.deadline };
	unsigned long f = tk_spin_lock_irqsave(&sched_admit_lock);
	int err = place_change(sched_places(), &t->placed, &pp, 1u << first, &t->placed);

	if (err)	/* whole on another CPU of mask, or split over two */
		err = place_change(places, &t->placed, &pp, mask, &t->placed);
	tk_spin_unlock_irqrestore(&sched_admit_lock, f);
	return err ? -EBUSY : 0;
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

/* On t's CPU, or anywhere before t is added (a new deadline thread is
 * placed by then: sched_set_params). */
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
	c = &cpus[t->cpu];
	r->err = set_params_on(c, t, s);
	if (r->err == 0) {
		t->sched = *s;
		if (c == cpu_self())
			c->need_resched = true;
	}
}

/* A new deadline thread is placed with interrupts on: the placement's exact
 * tests and a repack's search take long, and nothing else sees t yet. */
static int place_new(struct tk_thread *t, const struct tk_sched *s)
{
	struct dl_params p = { s->runtime, s->deadline, s->period };
	int err = dl_check_params(&p);

	return err ? err : place_dl_new(t, &p);
}

int sched_set_params(struct tk_thread *t, const struct tk_sched *s)
{
	struct set_req r = { t, s, -EAGAIN };

	if (s->policy == TK_SCHED_DEADLINE) {
		if (sched_places_prepare())
			return -ENOMEM;
		sched_repack_prepare();
		if (!t->added && t->se.cls != SCHED_CLASS_DL && !t->placed.npieces) {
			r.err = place_new(t, s);
			if (r.err)
				return r.err;
			r.err = -EAGAIN;
		}
	}
	while (r.err == -EAGAIN) {
		unsigned long f = arch_irq_save();

		if (!t->added || t->cpu == cpu_self()->id) {
			set_params_here(&r);
			arch_irq_restore(f);
		} else if (ARCH_IRQ_MASKED(f)) {	/* a section's: see thread.h */
			arch_irq_restore(f);
			r.err = -EPERM;
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
	int err;

	if (percent < 1 || percent > 100)
		return -EINVAL;
	if (sched_places_prepare())
		return -ENOMEM;
	f = tk_spin_lock_irqsave(&sched_admit_lock);
	err = place_set_bound(sched_places(), ((uint64_t)percent << PLACE_SHIFT) / 100);
	tk_spin_unlock_irqrestore(&sched_admit_lock, f);
	return err;
}
