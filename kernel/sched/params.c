/* Scheduling classes and parameters, and the deadline class's admission on
 * every CPU (see core.c; sched-deadline.rst 4.1 per CPU). */
#include <errno.h>

#include <takt/log.h>
#include <takt/time.h>

#include "core_impl.h"

tk_spinlock_t sched_admit_lock = TK_SPINLOCK_INIT;

void sched_dl_release(struct cpu *c, struct tk_thread *t)
{
	unsigned long f = tk_spin_lock_irqsave(&sched_admit_lock);

	rq_dl_detach(&c->rq, &t->se);
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

	if (s->prio < TK_PRIO_MIN || s->prio > TK_PRIO_MAX)
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

static int set_dl(struct cpu *c, struct tk_thread *t, const struct tk_sched *s)
{
	struct dl_params p = { s->runtime, s->deadline, s->period };
	bool q = queued(t);
	unsigned long f;
	int err;

	err = dl_check_params(&p);
	if (err)
		return err;
	f = tk_spin_lock_irqsave(&sched_admit_lock);
	if (t->se.cls == SCHED_CLASS_DL) {
		err = rq_dl_change(&c->rq, &t->se, &p);
		tk_spin_unlock_irqrestore(&sched_admit_lock, f);
		return err;
	}
	if (q)
		rq_fp_block(&c->rq, &t->se);
	err = rq_dl_attach(&c->rq, &t->se, &p);
	tk_spin_unlock_irqrestore(&sched_admit_lock, f);
	if (err) {
		if (q)
			rq_fp_wakeup(&c->rq, &t->se);
		return err;
	}
	t->se.cls = SCHED_CLASS_DL;
	if (q)
		sched_dl_events(c, t, rq_dl_wakeup(&c->rq, &t->se, tk_now_ns()));
	return 0;
}

/* A new deadline thread goes where its bandwidth fits best: the CPU of its
 * mask with the most room left under the bound (worst fit, so that the
 * heavy ones that come later still find room); among equals, the CPU with
 * the fewest threads (not the one the network stack is pinned to, say). -EBUSY: it fits nowhere. */
/* Threads living on CPU i besides t. */
static unsigned others(const struct tk_thread *t, unsigned i)
{
	return cpus[i].nthreads - (t->cpu == i);
}

static int place_dl_new(struct tk_thread *t, const struct dl_params *p)
{
	uint64_t bw = dl_to_ratio(p->period ? p->period : p->deadline, p->runtime);
	uint32_t m = t->affinity & smp_online_mask();
	int best = -1;
	unsigned long f = tk_spin_lock_irqsave(&sched_admit_lock);

	for (unsigned i = 0; i < TK_CPUS_MAX; i++) {
		const struct dl_bw *b = &cpus[i].rq.bw;

		if (!(m & (1u << i)) || b->total_bw + bw > b->bound_bw)
			continue;
		if (best < 0 || b->total_bw < cpus[best].rq.bw.total_bw ||
		    (b->total_bw == cpus[best].rq.bw.total_bw && others(t, i) < others(t, (unsigned)best)))
			best = (int)i;
	}
	tk_spin_unlock_irqrestore(&sched_admit_lock, f);
	if (best < 0)
		return -EBUSY;
	if ((unsigned)best != t->cpu) {
		cpu_load_add(&cpus[t->cpu], -1);
		cpu_load_add(&cpus[best], 1);
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
	f = tk_spin_lock_irqsave(&sched_admit_lock);
	for (unsigned i = 0; i < smp_ncpus && !err; i++)
		if (cpus[i].rq.bw.total_bw > ((uint64_t)percent << BW_SHIFT) / 100)
			err = -EBUSY;
	for (unsigned i = 0; i < TK_CPUS_MAX && !err; i++)
		dl_bw_set_bound(&cpus[i].rq.bw, ((uint64_t)percent << BW_SHIFT) / 100);
	tk_spin_unlock_irqrestore(&sched_admit_lock, f);
	return err;
}
