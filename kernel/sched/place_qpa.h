/* The pieces a CPU is tested with, and the exact EDF test on them
 * (place_qpa.c): the parts of the placement (place.c) that know nothing of
 * CPUs or threads. Internal to kernel/sched. */
#ifndef TAKT_SCHED_PLACE_QPA_H
#define TAKT_SCHED_PLACE_QPA_H

#include <stdbool.h>
#include <stdint.h>

#include "place.h"

/* A piece being tried on a CPU. */
struct place_req {
	uint64_t c, d, t, bw;
};

static inline uint64_t place_bw_of(uint64_t c, uint64_t t)
{
	return ((c << PLACE_SHIFT) + t - 1) / t; /* rounded up: never under-states */
}

static inline struct place_req place_req_of(uint64_t c, uint64_t d, uint64_t t)
{
	struct place_req r = { c, d, t, place_bw_of(c, t) };
	return r;
}

/* A piece the exact test counts by its u*t line only (see place.h). */
static inline bool place_sum_only(uint64_t d, uint64_t t)
{
	return d == t && t > PLACE_PERIOD_MAX;
}

/* QPA (Zhang & Burns) for the pieces k[] on a CPU of which cap (fixed point)
 * is left after the u*t line of the implicit pieces kept only in the sum:
 * dbf(t) <= cap * t for all t. *work counts the steps (the repack's bound). */
bool place_qpa(const struct place_req *k, unsigned n, uint64_t cap, unsigned long *work);

#endif
