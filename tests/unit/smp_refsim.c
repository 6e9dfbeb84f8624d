/* Multi-CPU reference simulator and task-set generators (see smp_refsim.h). */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "smp_refsim.h"
#include "sched/place.h"

/* The current job of a task: one at a time, as D <= T (a job still there at
 * the next release has missed). */
struct job {
	bool active;
	unsigned piece;
	uint64_t rem, rel, dl;
};

struct sim {
	const struct smp_sim_task *t;
	unsigned n, ncpus;
	bool global;
	struct job j[SMP_SIM_TASKS];
	bool run[SMP_SIM_TASKS];
	long misses;
	struct smp_sim_miss *first;
};

static void miss(struct sim *s, unsigned i)
{
	if (s->misses++ == 0 && s->first) {
		s->first->task = i;
		s->first->release = s->j[i].rel;
		s->first->deadline = s->j[i].dl;
	}
}

/* Start piece p of task i's current job. */
static void start_piece(struct sim *s, unsigned i, unsigned p)
{
	struct job *j = &s->j[i];

	j->active = true;
	j->piece = p;
	j->rem = s->t[i].piece[p].c;
	j->dl = j->rel + s->t[i].piece[p].d;
}

/* The active job with the earliest deadline not yet picked, on cpu (or any
 * CPU when global); -1 if none. */
static int earliest(const struct sim *s, unsigned cpu)
{
	int best = -1;

	for (unsigned i = 0; i < s->n; i++) {
		const struct job *j = &s->j[i];
		if (!j->active || s->run[i])
			continue;
		if (!s->global && s->t[i].piece[j->piece].cpu != cpu)
			continue;
		if (best < 0 || j->dl < s->j[best].dl)
			best = (int)i;
	}
	return best;
}

static void pick(struct sim *s)
{
	for (unsigned i = 0; i < s->n; i++)
		s->run[i] = false;
	for (unsigned c = 0; c < s->ncpus; c++) {
		int i = earliest(s, c);
		if (i >= 0)
			s->run[i] = true;
	}
}

static void release(struct sim *s, uint64_t now, uint64_t *next_rel)
{
	for (unsigned i = 0; i < s->n; i++) {
		if (next_rel[i] != now)
			continue;
		if (s->j[i].active)
			miss(s, i);
		s->j[i].rel = now;
		start_piece(s, i, 0);
		next_rel[i] += s->t[i].period;
	}
}

/* Run the picked jobs from now to next; completions start second pieces. */
static void advance(struct sim *s, uint64_t now, uint64_t next)
{
	for (unsigned i = 0; i < s->n; i++) {
		struct job *j = &s->j[i];
		if (!s->run[i])
			continue;
		j->rem -= next - now;
		if (j->rem)
			continue;
		if (next > j->dl)
			miss(s, i);
		if (j->piece + 1 < s->t[i].npieces)
			start_piece(s, i, j->piece + 1);
		else
			j->active = false;
	}
}

static long simulate(struct sim *s, uint64_t horizon)
{
	uint64_t next_rel[SMP_SIM_TASKS] = { 0 };
	uint64_t now = 0;

	if (s->n > SMP_SIM_TASKS)
		return -1;
	while (now < horizon) {
		release(s, now, next_rel);
		pick(s);
		uint64_t next = horizon;
		for (unsigned i = 0; i < s->n; i++) {
			if (next_rel[i] < next)
				next = next_rel[i];
			if (s->run[i] && now + s->j[i].rem < next)
				next = now + s->j[i].rem;
		}
		advance(s, now, next);
		now = next;
	}
	for (unsigned i = 0; i < s->n; i++)
		if (s->j[i].active && s->j[i].dl <= horizon)
			miss(s, i);
	return s->misses;
}

long smp_sim_partitioned(const struct smp_sim_task *t, unsigned n, unsigned ncpus,
			 uint64_t horizon, struct smp_sim_miss *first)
{
	struct sim s = { .t = t, .n = n, .ncpus = ncpus, .global = false, .first = first };
	return simulate(&s, horizon);
}

long smp_sim_global(const struct smp_sim_task *t, unsigned n, unsigned ncpus, uint64_t horizon,
		    struct smp_sim_miss *first)
{
	struct sim s = { .t = t, .n = n, .ncpus = ncpus, .global = true, .first = first };
	return simulate(&s, horizon);
}

uint64_t smp_rand(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545F4914F6CDD1Dull;
}

double smp_rand_unit(uint64_t *x)
{
	return (double)(smp_rand(x) >> 11) / (double)(1ull << 53);
}

bool smp_gen_uunifast(uint64_t *x, unsigned n, double total, double lo, double hi, double *u)
{
	double rest = total - n * lo, cap = hi - lo;

	if (n == 0 || rest < 0 || rest > n * cap)
		return false;
	for (int tries = 0; tries < 1000000; tries++) {
		double sum = rest;
		bool ok = true;
		for (unsigned i = 0; i + 1 < n; i++) {
			double next = sum * pow(smp_rand_unit(x), 1.0 / (n - 1 - i));
			u[i] = sum - next;
			sum = next;
		}
		u[n - 1] = sum;
		for (unsigned i = 0; i < n; i++) {
			ok = ok && u[i] <= cap;
			u[i] += lo;
		}
		if (ok)
			return true;
	}
	return false;
}

uint64_t smp_gen_period(uint64_t *x)
{
	static const unsigned ms[SMP_SIM_NPERIODS] = { 1, 2, 4, 5, 8, 10, 20, 25, 40, 50, 100 };
	return ms[smp_rand(x) % SMP_SIM_NPERIODS] * SMP_SIM_MS;
}

void smp_sim_of_place(const struct place_result *r, struct smp_sim_task *t)
{
	t->period = r->period;
	t->npieces = r->npieces;
	for (unsigned k = 0; k < r->npieces; k++) {
		t->piece[k].cpu = r->piece[k].cpu;
		t->piece[k].c = r->piece[k].runtime;
		t->piece[k].d = r->piece[k].offset + r->piece[k].deadline;
	}
}

bool place_same(const struct place_sys *a, const struct place_sys *b, bool with_gen)
{
	static struct place_sys x, y;	/* large for a stack */

	x = *a;
	y = *b;
	x.work = y.work = 0;
	if (!with_gen)
		x.gen = y.gen = 0;
	return memcmp(&x, &y, sizeof(x)) == 0;
}
