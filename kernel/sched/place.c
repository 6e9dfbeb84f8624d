/* Multicore placement, admission and C=D splitting (see place.h). */
#include <errno.h>
#include <string.h>

#include "place.h"
#include "place_qpa.h"

/* Is slot (or with slot NONE: any piece) of cpu one of ex's? Adds the shares
 * of ex's pieces on cpu to *bw and those kept only in the sum to *sum. */
static bool excluded(const struct place_result *ex, unsigned cpu, unsigned slot, uint64_t *bw,
		     uint64_t *sum)
{
	bool hit = false;

	for (unsigned i = 0; ex && i < ex->npieces; i++) {
		const struct place_piece *p = &ex->piece[i];
		if (p->cpu != cpu)
			continue;
		if (bw) {
			*bw += p->bw;
			if (p->slot == PLACE_SLOT_NONE)
				*sum += p->bw;
		}
		if (slot != PLACE_SLOT_NONE && p->slot == slot)
			hit = true;
	}
	return hit;
}

/* Would cpu pass its test holding r too, without the pieces of ex?
 * @retval 0, -EBUSY, -ENOSPC */
static int cpu_check(const struct place_sys *s, unsigned cpu, const struct place_result *ex,
		     const struct place_req *r)
{
	const struct place_cpu *c = &s->cpu[cpu];
	struct place_req k[PLACE_PIECES_MAX];
	uint64_t ex_bw = 0, ex_sum = 0, sum;
	unsigned n = 0, ncon = 0;
	/* a count, not state (place_sys objects are never const data) */
	unsigned long *work = (unsigned long *)&s->work;

	++*work;
	excluded(ex, cpu, PLACE_SLOT_NONE, &ex_bw, &ex_sum);
	if (c->total_bw - ex_bw + r->bw > s->bound_bw)
		return -EBUSY;
	if (c->ncon == 0 && r->d == r->t) /* implicit deadlines only: (1) is exact, O(1) */
		return 0;
	sum = c->sum_bw - ex_sum;
	*work += PLACE_PIECES_MAX;
	for (unsigned i = 0; i < PLACE_PIECES_MAX; i++) {
		const struct place_ent *e = &c->ent[i];
		if (!e->used || excluded(ex, cpu, i, NULL, NULL))
			continue;
		k[n++] = (struct place_req){ e->c, e->d, e->t, e->bw };
		ncon += e->d < e->t;
	}
	/* r takes a free slot, as commit() will; an implicit one may go to the sum */
	if (place_sum_only(r->d, r->t))
		sum += r->bw;
	else if (n < PLACE_PIECES_MAX)
		k[n++] = *r;
	else if (r->d < r->t)
		return -ENOSPC;
	else
		sum += r->bw;
	if (ncon == 0 && r->d == r->t) /* ex held the constrained ones */
		return 0;
	return place_qpa(k, n, PLACE_UNIT - sum, work) ? 0 : -EBUSY;
}

static bool params_ok(const struct place_sys *s, const struct place_params *p, uint32_t mask)
{
	if (!p || mask == 0 || (s->ncpus < 32 && mask >> s->ncpus))
		return false;
	return p->runtime >= PLACE_RUNTIME_MIN && p->runtime <= p->deadline &&
	       p->deadline <= p->period &&
	       p->period <= (p->deadline == p->period ? PLACE_PERIOD_MAX_IMPLICIT : PLACE_PERIOD_MAX);
}

/* Spare share of cpu with ex's pieces given back. */
static uint64_t spare(const struct place_sys *s, unsigned cpu, const struct place_result *ex)
{
	uint64_t ex_bw = 0, ex_impl = 0;

	excluded(ex, cpu, PLACE_SLOT_NONE, &ex_bw, &ex_impl);
	uint64_t used = s->cpu[cpu].total_bw - ex_bw;
	return used < s->bound_bw ? s->bound_bw - used : 0;
}

static void set_piece(struct place_piece *pc, unsigned cpu, const struct place_req *r, uint64_t offset)
{
	pc->cpu = (uint8_t)cpu;
	pc->slot = PLACE_SLOT_NONE; /* chosen at commit */
	pc->runtime = r->c;
	pc->deadline = r->d;
	pc->offset = offset;
	pc->bw = r->bw;
}

/* Does CPU a come before CPU b in the order find() tries them? Most spare
 * share first (worst fit), or with best least first (best fit). */
static bool before(const struct place_sys *s, const struct place_result *ex, unsigned a,
		   unsigned b, bool best)
{
	uint64_t sa = spare(s, a, ex), sb = spare(s, b, ex);

	return best ? sa < sb : sa > sb;
}

/* CPUs of mask in the order find() tries them (before()); ties by number. */
static unsigned order(const struct place_sys *s, uint32_t mask, const struct place_result *ex,
		      bool best, uint8_t *cpus)
{
	unsigned n = 0;

	for (unsigned c = 0; c < s->ncpus; c++) {
		if (!(mask & (1u << c)))
			continue;
		unsigned j = n++;
		for (; j > 0 && before(s, ex, c, cpus[j - 1], best); j--)
			cpus[j] = cpus[j - 1];
		cpus[j] = (uint8_t)c;
	}
	return n;
}

/* The largest C1 in [lo, hi] with a piece (C1, C1, T) passing on cpu, to
 * within 1/128 of hi (the second piece takes the rest); 0 if none. */
static uint64_t max_first(const struct place_sys *s, unsigned cpu, const struct place_result *ex,
			  uint64_t lo, uint64_t hi, uint64_t t)
{
	uint64_t best = 0, close = hi / 128;

	while (lo <= hi && (best == 0 || hi - lo >= close)) {
		uint64_t mid = lo + (hi - lo) / 2;
		struct place_req r = place_req_of(mid, mid, t);
		if (cpu_check(s, cpu, ex, &r) == 0) {
			best = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return best;
}

/* Too small to cut, or too long for the demand test: never split. */
static bool cuttable(const struct place_params *p)
{
	return p->runtime >= 2 * PLACE_RUNTIME_MIN && p->period <= PLACE_PERIOD_MAX;
}

/* The largest piece 1 of p that CPU cpu takes (max_first over p's range). */
static uint64_t first_piece(const struct place_sys *s, unsigned cpu, const struct place_result *ex,
			    const struct place_params *p)
{
	return max_first(s, cpu, ex, PLACE_RUNTIME_MIN, p->runtime - PLACE_RUNTIME_MIN, p->period);
}

/* p split C=D, piece 1 (c1, c1) on CPU a and the rest on CPU b, if b's
 * test passes: out filled (nothing taken). */
static bool split_on(const struct place_sys *s, const struct place_result *ex,
		     const struct place_params *p, uint64_t c1, unsigned a, unsigned b,
		     struct place_result *out)
{
	struct place_req r1 = place_req_of(c1, c1, p->period);
	struct place_req r2 = place_req_of(p->runtime - c1, p->deadline - c1, p->period);

	if (cpu_check(s, b, ex, &r2) != 0)
		return false;
	out->npieces = 2;
	out->period = p->period;
	set_piece(&out->piece[0], a, &r1, 0);
	set_piece(&out->piece[1], b, &r2, c1);
	return true;
}

/* C=D split over two CPUs of the order: piece 1 as large as CPU a takes it. */
static int split(const struct place_sys *s, const struct place_params *p, const uint8_t *cpus,
		 unsigned n, const struct place_result *ex, struct place_result *out)
{
	if (!cuttable(p))
		return -EBUSY;
	for (unsigned i = 0; i < n; i++) {
		uint64_t c1 = first_piece(s, cpus[i], ex, p);
		if (c1 == 0)
			continue;
		for (unsigned j = 0; j < n; j++)
			if (j != i && split_on(s, ex, p, c1, cpus[i], cpus[j], out))
				return 0;
	}
	return -EBUSY;
}

/* The placement of p on mask with ex's shares given back; changes nothing. */
static int find(const struct place_sys *s, const struct place_params *p, uint32_t mask,
		const struct place_result *ex, bool best, struct place_result *out)
{
	uint8_t cpus[PLACE_CPUS_MAX];
	struct place_req r;
	int err = -EBUSY;

	if (!params_ok(s, p, mask) || !out)
		return -EINVAL;
	r = place_req_of(p->runtime, p->deadline, p->period);
	unsigned n = order(s, mask, ex, best, cpus);
	for (unsigned i = 0; i < n; i++) {
		int e = cpu_check(s, cpus[i], ex, &r);
		if (e == 0) {
			memset(out, 0, sizeof(*out));
			out->npieces = 1;
			out->period = p->period;
			set_piece(&out->piece[0], cpus[i], &r, 0);
			return 0;
		}
		if (e == -ENOSPC)
			err = e;
	}
	unsigned splits = s->nsplit - (ex && ex->npieces == 2 ? 1 : 0);
	if (n < 2 || splits + 1 > s->ncpus - 1)
		return err;
	memset(out, 0, sizeof(*out));
	return split(s, p, cpus, n, ex, out) == 0 ? 0 : err;
}

static void commit(struct place_sys *s, struct place_result *r)
{
	for (unsigned i = 0; i < r->npieces; i++) {
		struct place_piece *pc = &r->piece[i];
		struct place_cpu *c = &s->cpu[pc->cpu];
		unsigned k = 0;
		c->total_bw += pc->bw;
		while (k < PLACE_PIECES_MAX && c->ent[k].used)
			k++;
		if (k == PLACE_PIECES_MAX || place_sum_only(pc->deadline, r->period)) {
			/* implicit: find() let it go to the sum */
			c->sum_bw += pc->bw;
			pc->slot = PLACE_SLOT_NONE;
			continue;
		}
		c->ent[k] = (struct place_ent){ pc->runtime, pc->deadline, r->period, pc->bw, true };
		c->ncon += pc->deadline < r->period;
		pc->slot = (uint8_t)k;
	}
	if (r->npieces == 2)
		s->nsplit++;
	s->gen++;
}

void place_init(struct place_sys *s, unsigned ncpus)
{
	memset(s, 0, sizeof(*s));
	s->ncpus = ncpus < 1 ? 1 : ncpus > PLACE_CPUS_MAX ? PLACE_CPUS_MAX : ncpus;
	s->bound_bw = PLACE_BOUND_DEFAULT;
}

int place_set_bound(struct place_sys *s, uint64_t bound_bw)
{
	if (bound_bw == 0 || bound_bw > PLACE_UNIT)
		return -EINVAL;
	for (unsigned c = 0; c < s->ncpus; c++)
		if (s->cpu[c].total_bw > bound_bw)
			return -EBUSY;
	s->bound_bw = bound_bw;
	s->gen++;
	return 0;
}

int place_admit(struct place_sys *s, const struct place_params *p, uint32_t mask,
		struct place_result *out)
{
	struct place_result r;
	int err = find(s, p, mask, NULL, false, &r);

	if (err)
		return err;
	commit(s, &r);
	*out = r;
	return 0;
}

int place_change(struct place_sys *s, const struct place_result *old, const struct place_params *p,
		 uint32_t mask, struct place_result *out)
{
	struct place_result r;
	int err;

	if (!old || old->npieces < 1 || old->npieces > 2)
		return -EINVAL;
	err = find(s, p, mask, old, false, &r);
	if (err)
		return err;
	place_release(s, old);
	commit(s, &r);
	*out = r;
	return 0;
}

void place_release(struct place_sys *s, const struct place_result *r)
{
	for (unsigned i = 0; i < r->npieces; i++) {
		const struct place_piece *pc = &r->piece[i];
		struct place_cpu *c = &s->cpu[pc->cpu];
		c->total_bw -= pc->bw;
		if (pc->slot == PLACE_SLOT_NONE) {
			c->sum_bw -= pc->bw;
		} else {
			c->ncon -= pc->deadline < r->period;
			memset(&c->ent[pc->slot], 0, sizeof(c->ent[0])); /* back as place_init left it */
		}
	}
	if (r->npieces == 2)
		s->nsplit--;
	s->gen++;
}

int place_fp_cpu(const struct place_sys *s, uint32_t mask, const unsigned *nthreads)
{
	int best = -1;

	if (mask == 0 || !nthreads || (s->ncpus < 32 && mask >> s->ncpus))
		return -EINVAL;
	for (unsigned c = 0; c < s->ncpus; c++) {
		if (!(mask & (1u << c)))
			continue;
		if (best < 0 || nthreads[c] < nthreads[best] ||
		    (nthreads[c] == nthreads[best] && s->cpu[c].total_bw < s->cpu[best].total_bw))
			best = (int)c;
	}
	return best;
}

uint64_t place_cpu_load(const struct place_sys *s, unsigned cpu)
{
	return cpu < s->ncpus ? s->cpu[cpu].total_bw : 0;
}

bool place_cpu_fits(const struct place_sys *s, unsigned cpu, uint64_t c, uint64_t d, uint64_t t)
{
	struct place_req r;

	if (cpu >= s->ncpus || c < PLACE_RUNTIME_MIN || c > d || d > t || t > PLACE_PERIOD_MAX)
		return false;
	r = place_req_of(c, d, t);
	return cpu_check(s, cpu, NULL, &r) == 0;
}

/* Indices of it[] by decreasing share (C/T), stable. */
static void by_share(const struct place_item *it, unsigned n, uint8_t *idx)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t bw = place_bw_of(it[i].p.runtime, it[i].p.period);
		unsigned j = i;
		for (; j > 0 && place_bw_of(it[idx[j - 1]].p.runtime, it[idx[j - 1]].p.period) < bw; j--)
			idx[j] = idx[j - 1];
		idx[j] = (uint8_t)i;
	}
}

static bool items_ok(const struct place_sys *s, const struct place_item *it, unsigned n)
{
	unsigned fresh = 0;

	if (!it || n == 0 || n > PLACE_REPACK_MAX)
		return false;
	for (unsigned i = 0; i < n; i++) {
		const struct place_result *r = &it[i].placed;
		if (!params_ok(s, &it[i].p, it[i].mask) || r->npieces > 2)
			return false;
		if (r->npieces == 1 && (r->piece[0].cpu >= s->ncpus || r->period != it[i].p.period))
			return false;
		fresh += r->npieces == 0;
	}
	return fresh <= 1;
}

/* One repack's search (place_repack): the items by decreasing share, each
 * placed by the first option that passes, backtracking when one fits nowhere. */
struct search {
	struct place_sys *s;
	struct place_item *it;
	uint8_t idx[PLACE_REPACK_MAX];
	unsigned n;
	unsigned long work_end;	/* the search stops when s->work gets here */
	bool alike;	/* every item has the same mask: its empty CPUs are interchangeable */
};

/* Is cpus[i] an empty CPU after an earlier empty one (other than cpus[not])?
 * Then trying it repeats what the earlier one gave (w->alike). */
static bool repeats(const struct search *w, const uint8_t *cpus, unsigned i, unsigned not)
{
	if (!w->alike || w->s->cpu[cpus[i]].total_bw)
		return false;
	for (unsigned j = 0; j < i; j++)
		if (j != not && w->s->cpu[cpus[j]].total_bw == 0)
			return true;
	return false;
}

static void take(struct place_sys *s, struct place_item *x, unsigned npieces)
{
	x->out.npieces = (uint8_t)npieces;
	x->out.period = x->p.period;
	commit(s, &x->out);
}

/* Place x by option *o or a later one, and commit it: options 0..n-1 put it
 * whole on the CPUs of its mask, best fit first; then n + a * n + b splits
 * it C=D, piece 1 as large as CPU a takes it, piece 2 on CPU b.
 * @retval 0 (*o: the option taken), -EBUSY none left, -ETIME out of work */
static int place_from(struct search *w, struct place_item *x, unsigned *o)
{
	struct place_sys *s = w->s;
	const struct place_params *p = &x->p;
	uint8_t cpus[PLACE_CPUS_MAX];
	unsigned n = order(s, x->mask, NULL, true, cpus), c1_of = PLACE_CPUS_MAX;
	struct place_req r = place_req_of(p->runtime, p->deadline, p->period);
	uint64_t c1 = 0;

	memset(&x->out, 0, sizeof(x->out));
	for (; *o < n; ++*o) {
		if (repeats(w, cpus, *o, n))
			continue;
		if (s->work > w->work_end)
			return -ETIME;
		if (cpu_check(s, cpus[*o], NULL, &r) == 0) {
			set_piece(&x->out.piece[0], cpus[*o], &r, 0);
			take(s, x, 1);
			return 0;
		}
	}
	if (n < 2 || s->nsplit + 1 > s->ncpus - 1 || !cuttable(p))
		return -EBUSY;
	for (; *o < n + n * n; ++*o) {
		unsigned a = (*o - n) / n, b = (*o - n) % n;
		if (a == b || repeats(w, cpus, a, n) || repeats(w, cpus, b, a))
			continue;
		if (s->work > w->work_end)
			return -ETIME;
		if (a != c1_of) {
			c1 = first_piece(s, cpus[a], NULL, p);
			c1_of = a;
		}
		if (c1 == 0) {
			*o = n + a * n + n - 1;	/* nothing of it fits on a */
			continue;
		}
		if (split_on(s, NULL, p, c1, cpus[a], cpus[b], &x->out)) {
			take(s, x, 2);
			return 0;
		}
	}
	return -EBUSY;
}

/* Depth first over the items' options; the first leaf is the greedy
 * placement (best fit, then the first split that passes). */
static int search(struct search *w)
{
	unsigned opt[PLACE_REPACK_MAX], k = 0;

	opt[0] = 0;
	while (k < w->n) {
		int err = place_from(w, &w->it[w->idx[k]], &opt[k]);
		if (err == 0) {
			if (++k < w->n)
				opt[k] = 0;
			continue;
		}
		if (err == -ETIME || k == 0)
			return -EBUSY;
		k--;
		place_release(w->s, &w->it[w->idx[k]].out);
		opt[k]++;
	}
	return 0;
}

/* Do the items' shares fit under the bound on the CPUs at all, beside what
 * stays? Splitting rounds each piece up; whole shares are a lower bound. */
static bool room_for(const struct place_sys *s, const struct place_item *it, unsigned n)
{
	uint64_t need = 0, room = 0;

	for (unsigned i = 0; i < n; i++)
		need += place_bw_of(it[i].p.runtime, it[i].p.period);
	for (unsigned c = 0; c < s->ncpus; c++)
		room += spare(s, c, NULL);
	return need <= room;
}

int place_repack(struct place_sys *s, struct place_item *it, unsigned n, struct place_sys *scratch)
{
	struct search w = { scratch, it, { 0 }, n, 0, true };

	if (!scratch || !items_ok(s, it, n))
		return -EINVAL;
	*scratch = *s;
	w.work_end = scratch->work + PLACE_REPACK_WORK;
	for (unsigned i = 0; i < n; i++) {
		if (it[i].placed.npieces)
			place_release(scratch, &it[i].placed);
		w.alike = w.alike && it[i].mask == it[0].mask;
	}
	by_share(it, n, w.idx);
	if (!room_for(scratch, it, n) || search(&w))
		return -EBUSY;
	*s = *scratch;
	return 0;
}
