/*
 * Admission control of the deadline class (sched-deadline.rst 4.1): the sum
 * of runtime/period over admitted entities stays <= a bound (default 95 %,
 * Linux's sched_rt_runtime_us / sched_rt_period_us = 950000 / 1000000).
 * Bandwidths are fixed point, BW_SHIFT fraction bits (Linux to_ratio).
 * One dl_bw per CPU run queue; single CPU, so no capacity scaling.
 */
#ifndef TAKT_SCHED_DL_BW_H
#define TAKT_SCHED_DL_BW_H

#include <stdint.h>

#include "dl.h"

/* 95 % in BW_SHIFT fixed point, computed like Linux (950000 us of 1 s). */
#define DL_BW_DEFAULT_BOUND ((950000ull << BW_SHIFT) / 1000000ull)

struct dl_bw {
	uint64_t total_bw; /* sum of admitted dl_to_ratio(period, runtime) */
	uint64_t bound_bw; /* total_bw never exceeds this */
};

void dl_bw_init(struct dl_bw *b);

/* Set the bound, at most BW_UNIT (100 %).
 * @retval 0, -EINVAL above 100 %, -EBUSY below what is admitted (unchanged) */
int dl_bw_set_bound(struct dl_bw *b, uint64_t bound_bw);

/* Admit a new entity with parameters p.
 * @retval 0, -EINVAL bad parameters, -EBUSY the bound would break (unchanged) */
int dl_bw_admit(struct dl_bw *b, const struct dl_params *p);

/* Replace an admitted entity's parameters old by p (Linux dl_overflow with
 * old_bw): the entity's own bandwidth does not count against itself.
 * @retval 0, -EINVAL bad parameters, -EBUSY the bound would break (unchanged) */
int dl_bw_change(struct dl_bw *b, const struct dl_params *old, const struct dl_params *p);

/* Give back an admitted entity's bandwidth (thread exit or leaving DL). */
void dl_bw_release(struct dl_bw *b, const struct dl_params *p);

#endif /* TAKT_SCHED_DL_BW_H */
