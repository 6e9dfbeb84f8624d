/*
 * Reference EDF + CBS model (see sched_refsim.h). Deliberately naive: the
 * rules are transcribed from Documentation/scheduler/sched-deadline.rst 2.1
 * and 4.4 and from Linux kernel/sched/deadline.c (update_dl_entity,
 * update_dl_revised_wakeup, dl_check_constrained_dl, replenish_dl_entity,
 * start_dl_timer), with linear scans instead of trees and timers.
 */
#include <stdlib.h>
#include <string.h>

#include "sched_refsim.h"

/* ---- workload: pure functions of (seed, job) */

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

uint64_t sim_demand(const struct sim_task *t, unsigned j)
{
	uint64_t h = mix(t->seed ^ ((uint64_t)j << 20) ^ 1);
	uint64_t c = t->p.runtime;

	if (t->overruns && h % 3 == 0)
		return c + 1 + (h >> 8) % (2 * c); /* (C, 3C] */
	return c / 5 + 1 + (h >> 8) % (c - c / 5); /* (C/5, C] */
}

uint64_t sim_next_wake(const struct sim_task *t, unsigned j, uint64_t release, uint64_t end)
{
	uint64_t h = mix(t->seed ^ ((uint64_t)j << 20) ^ 2);
	uint64_t period = t->p.period ? t->p.period : t->p.deadline;
	uint64_t earliest = release + period;

	if (t->early)
		return end + 1 + h % (period / 2);
	return (end > earliest ? end : earliest) + h % period;
}

bool sim_well_behaved(const struct sim_task *t)
{
	return !t->overruns && !t->early;
}

/* ---- trace */

void trace_init(struct sim_trace *tr, int maxrec, int maxseg)
{
	memset(tr, 0, sizeof(*tr));
	tr->rec = calloc((size_t)maxrec, sizeof(*tr->rec));
	tr->seg = calloc((size_t)maxseg, sizeof(*tr->seg));
	tr->maxrec = maxrec;
	tr->maxseg = maxseg;
}

void trace_free(struct sim_trace *tr)
{
	free(tr->rec);
	free(tr->seg);
}

void trace_rec(struct sim_trace *tr, uint64_t t, int task, enum sim_rec_kind kind,
	       uint64_t deadline, int64_t runtime)
{
	if (tr->nrec == tr->maxrec)
		abort();
	tr->rec[tr->nrec++] = (struct sim_rec){ t, task, kind, deadline, runtime };
}

void trace_run(struct sim_trace *tr, uint64_t start, uint64_t end, int who)
{
	if (end == start)
		return;
	if (tr->nseg && tr->seg[tr->nseg - 1].who == who && tr->seg[tr->nseg - 1].end == start) {
		tr->seg[tr->nseg - 1].end = end;
		return;
	}
	if (tr->nseg == tr->maxseg)
		abort();
	tr->seg[tr->nseg++] = (struct sim_seg){ start, end, who };
}

/* ---- the model */

enum { M_RUN = 1, M_THR = 2, M_REP = 4, M_OVR = 8, M_MISS = 16 };

struct st {
	bool admitted, sleeping, throttled, fresh;
	bool job_active, job_missed, wake_pending;
	uint64_t C, D, P;
	uint64_t dl, repl_at, arm_seq, enq_seq, job_dl;
	int64_t rt;
	uint64_t demand_left, release, wake_at;
	unsigned job;
};

struct sim {
	const struct sim_workload *w;
	struct sim_trace *tr;
	struct st s[SIM_MAX_TASKS];
	uint64_t now, enq, arm;
};

static void log_mask(struct sim *m, int i, unsigned mask)
{
	struct st *s = &m->s[i];

	if (mask & M_MISS)
		trace_rec(m->tr, m->now, i, REC_MISS, s->dl, s->rt);
	if (mask & M_OVR)
		trace_rec(m->tr, m->now, i, REC_OVERRUN, s->dl, s->rt);
	if (mask & M_THR)
		trace_rec(m->tr, m->now, i, REC_THROTTLE, s->dl, s->rt);
	if (mask & M_REP)
		trace_rec(m->tr, m->now, i, REC_REPLENISH, s->dl, s->rt);
}

/* The job misses if it is seen unfinished after its deadline (or at it,
 * for a throttled one being replenished). */
static unsigned miss(struct sim *m, int i, bool at_deadline_too)
{
	struct st *s = &m->s[i];
	bool late = m->now > s->job_dl || (at_deadline_too && m->now == s->job_dl);

	if (!s->job_active || s->job_missed || !late)
		return 0;
	s->job_missed = true;
	m->tr->misses[i]++;
	return M_MISS;
}

static void release(struct sim *m, int i)
{
	m->s[i].job_active = true;
	m->s[i].job_missed = false;
	m->s[i].job_dl = m->s[i].dl;
}

static unsigned replenish(struct sim *m, int i)
{
	struct st *s = &m->s[i];
	unsigned mask = M_REP | miss(m, i, true);

	while (s->rt <= 0) { /* replenish_dl_entity */
		s->dl += s->P;
		s->rt += (int64_t)s->C;
	}
	if (s->dl < m->now) {
		s->dl = m->now + s->D;
		s->rt = (int64_t)s->C;
	}
	s->throttled = false;
	if (s->sleeping)
		return mask;
	if (!s->job_active)
		release(m, i);
	s->enq_seq = ++m->enq;
	return mask | M_RUN;
}

/* Throttled until the next period (start_dl_timer); at once if it began. */
static unsigned throttle(struct sim *m, int i)
{
	struct st *s = &m->s[i];
	uint64_t at = s->dl - s->D + s->P;

	s->throttled = true;
	if (at <= m->now)
		return replenish(m, i);
	s->repl_at = at;
	s->arm_seq = ++m->arm;
	return M_THR;
}

static unsigned wake_rule(struct sim *m, int i)
{
	struct st *s = &m->s[i];
	uint64_t now = m->now;

	if (s->fresh) {
		s->fresh = false;
		s->dl = now + s->D;
		s->rt = (int64_t)s->C;
		return M_RUN;
	}
	if (s->D < s->P && s->dl < now && now < s->dl - s->D + s->P) {
		if (s->rt > 0)
			s->rt = 0;
		return throttle(m, i);
	}
	if (s->dl >= now) {
		unsigned __int128 lhs = (unsigned __int128)(uint64_t)s->rt * s->D;
		unsigned __int128 rhs = (unsigned __int128)(s->dl - now) * s->C;

		if (lhs <= rhs)
			return M_RUN;
		if (s->D != s->P) {
			uint64_t density = (s->C << 20) / s->D;

			s->rt = (int64_t)((density * (s->dl - now)) >> 20);
			return s->rt > 0 ? M_RUN : throttle(m, i);
		}
	}
	s->dl = now + s->D;
	s->rt = (int64_t)s->C;
	return M_RUN;
}

static void wake(struct sim *m, int i)
{
	struct st *s = &m->s[i];
	unsigned mask = 0;

	s->sleeping = false;
	s->wake_pending = false;
	s->release = m->now;
	s->demand_left = sim_demand(&m->w->t[i], s->job);
	if (!s->throttled) {
		mask = wake_rule(m, i);
		if (mask == M_RUN) {
			release(m, i);
			s->enq_seq = ++m->enq;
		}
	}
	trace_rec(m->tr, m->now, i, REC_WAKE, s->dl, s->rt);
	log_mask(m, i, mask);
}

static void end_job(struct sim *m, int i, uint64_t delta)
{
	struct st *s = &m->s[i];
	const struct sim_task *t = &m->w->t[i];
	unsigned mask;

	s->rt -= (int64_t)delta;
	mask = miss(m, i, false);
	s->job_active = false;
	if (s->rt < 0) {
		m->tr->overruns[i]++;
		mask |= M_OVR;
	}
	s->job++;
	if (t->kind == SIM_YIELDER) {
		if (s->rt > 0)
			s->rt = 0;
		s->demand_left = sim_demand(t, s->job);
		mask |= throttle(m, i);
	} else {
		s->sleeping = true;
		s->wake_at = sim_next_wake(t, s->job - 1, s->release, m->now);
		s->wake_pending = true;
		if (s->rt <= 0)
			mask |= throttle(m, i) & ~M_RUN;
	}
	trace_rec(m->tr, m->now, i, REC_END, s->dl, s->rt);
	log_mask(m, i, mask);
}

static void run_for(struct sim *m, int i, uint64_t delta)
{
	struct st *s = &m->s[i];
	unsigned mask;

	s->demand_left -= delta;
	if (s->demand_left == 0) {
		end_job(m, i, delta);
		return;
	}
	mask = miss(m, i, false);
	s->rt -= (int64_t)delta;
	if (s->rt <= 0) {
		m->tr->overruns[i]++;
		mask |= M_OVR | throttle(m, i);
	}
	log_mask(m, i, mask);
}

static bool ready(const struct st *s)
{
	return s->admitted && !s->sleeping && !s->throttled;
}

static int pick(const struct sim *m)
{
	int best = -1;

	for (int i = 0; i < m->w->n; i++) {
		const struct st *s = &m->s[i];

		if (!ready(s))
			continue;
		if (best < 0 || s->dl < m->s[best].dl ||
		    (s->dl == m->s[best].dl && s->enq_seq < m->s[best].enq_seq))
			best = i;
	}
	return best;
}

static uint64_t next_event(const struct sim *m, int cur)
{
	uint64_t next = m->w->horizon;

	for (int i = 0; i < m->w->n; i++) {
		const struct st *s = &m->s[i];

		if (s->admitted && s->throttled && s->repl_at < next)
			next = s->repl_at;
		if (s->admitted && s->wake_pending && s->wake_at < next)
			next = s->wake_at;
	}
	if (cur >= 0) {
		const struct st *s = &m->s[cur];

		if (m->now + (uint64_t)s->rt < next)
			next = m->now + (uint64_t)s->rt;
		if (m->now + s->demand_left < next)
			next = m->now + s->demand_left;
	}
	return next;
}

/* Due replenishments, in the order their timers were armed. */
static void fire_timers(struct sim *m)
{
	for (;;) {
		int first = -1;

		for (int i = 0; i < m->w->n; i++) {
			const struct st *s = &m->s[i];

			if (s->admitted && s->throttled && s->repl_at <= m->now &&
			    (first < 0 || s->arm_seq < m->s[first].arm_seq))
				first = i;
		}
		if (first < 0)
			return;
		log_mask(m, first, replenish(m, first));
	}
}

static void admit(struct sim *m)
{
	uint64_t total = 0;

	for (int i = 0; i < m->w->n; i++) {
		const struct dl_params *p = &m->w->t[i].p;
		struct st *s = &m->s[i];

		s->C = p->runtime;
		s->D = p->deadline;
		s->P = p->period ? p->period : p->deadline;
		if (total + (s->C << 20) / s->P > m->w->bound_bw) {
			trace_rec(m->tr, 0, i, REC_REJECT, 0, 0);
			continue;
		}
		total += (s->C << 20) / s->P;
		s->admitted = s->sleeping = s->fresh = s->wake_pending = true;
		s->wake_at = m->w->t[i].first_wake;
	}
}

void refsim_run(const struct sim_workload *w, struct sim_trace *tr)
{
	struct sim m;

	memset(&m, 0, sizeof(m));
	m.w = w;
	m.tr = tr;
	admit(&m);
	while (m.now < w->horizon) {
		int cur = pick(&m);
		uint64_t next = next_event(&m, cur);

		uint64_t delta = next - m.now;

		trace_run(tr, m.now, next, cur >= 0 ? cur : (w->hog ? SIM_HOG : SIM_IDLE));
		m.now = next;
		/* At one instant: the running task's charge, then due timers,
		 * then wake-ups in task order (the harness does the same). */
		if (cur >= 0)
			run_for(&m, cur, delta);
		fire_timers(&m);
		for (int i = 0; i < w->n; i++)
			if (m.s[i].admitted && m.s[i].wake_pending && m.s[i].wake_at <= m.now)
				wake(&m, i);
	}
}
