/* The exact EDF test of the pieces on one CPU: QPA over the processor
 * demand bound function (see place_qpa.h). */
#include <stdint.h>

#include "place_qpa.h"

/* Processor demand of the constrained pieces in [0, t], synchronous release
 * (the worst case for EDF): sum over d <= t of (floor((t - d) / T) + 1) * C. */
static uint64_t dbf(const struct place_req *k, unsigned n, uint64_t t, unsigned long *work)
{
	uint64_t h = 0;

	*work += n;
	for (unsigned i = 0; i < n; i++)
		if (k[i].d <= t)
			h += ((t - k[i].d) / k[i].t + 1) * k[i].c;
	return h;
}

/* The latest absolute deadline j*T + D strictly before t, 0 if none. */
static uint64_t deadline_before(const struct place_req *k, unsigned n, uint64_t t, unsigned long *work)
{
	uint64_t best = 0;

	*work += n;
	for (unsigned i = 0; i < n; i++) {
		if (k[i].d >= t)
			continue;
		uint64_t dl = (t - 1 - k[i].d) / k[i].t * k[i].t + k[i].d;
		if (dl > best)
			best = dl;
	}
	return best;
}

/* The synchronous busy period at speed cap, if shorter than L: a missed
 * deadline lies in it, so QPA need not look past it (Zhang & Burns take the
 * smaller of the two bounds). Near full load it converges slowly: after
 * PLACE_BUSY_STEPS steps, L stands. */
static uint64_t busy_period(const struct place_req *k, unsigned n, uint64_t cap, uint64_t L,
			    unsigned long *work)
{
	uint64_t w = 0;

	for (unsigned i = 0; i < n; i++)
		w += k[i].c;
	w = ((w << PLACE_SHIFT) + cap - 1) / cap;
	for (unsigned step = 0; step < PLACE_BUSY_STEPS && w < L; step++) {
		uint64_t r = 0;
		*work += n;
		for (unsigned i = 0; i < n; i++)
			r += (w + k[i].t - 1) / k[i].t * k[i].c;
		r = ((r << PLACE_SHIFT) + cap - 1) / cap;
		if (r == w)
			return w;
		w = r;
	}
	return L;
}

/* See place_qpa.h. */
bool place_qpa(const struct place_req *k, unsigned n, uint64_t cap, unsigned long *work)
{
	uint64_t u = 0, num = 0, L = 0, dmin = UINT64_MAX;

	for (unsigned i = 0; i < n; i++) {
		u += k[i].bw;
		num += (k[i].t - k[i].d) * k[i].bw;
		if (k[i].d > L)
			L = k[i].d;
		if (k[i].d < dmin)
			dmin = k[i].d;
	}
	if (u >= cap) /* no finite busy-period bound: say no (sufficient) */
		return false;
	/* Beyond L = sum (T - D) u / (cap - u), dbf(t) <= u t + sum (T - D) u <= cap t. */
	if (num / (cap - u) > L)
		L = num / (cap - u);
	L = busy_period(k, n, cap, L, work);
	if (L > PLACE_HORIZON_MAX)
		return false;
	uint64_t t = deadline_before(k, n, L + 1, work);
	for (unsigned step = 0; step < PLACE_QPA_STEPS_MAX; step++) {
		/* demand scaled to the speed cap, rounded up: h <= t <=> dbf <= cap t */
		uint64_t h = ((dbf(k, n, t, work) << PLACE_SHIFT) + cap - 1) / cap;
		if (h > t)
			return false;
		if (h <= dmin)
			return true;
		t = h < t ? h : deadline_before(k, n, t, work);
	}
	return false;
}
