/*
 * Multi-CPU reference simulator, for test_place.c and `./takt bench smp`.
 * Written independently of kernel/sched/place.c: it takes the pieces a
 * placement produced and runs them, plainly, O(n) per event.
 *
 * Partitioned: per-CPU preemptive EDF over the pieces. A split job's second
 * piece becomes ready on its CPU when the first piece completes (at the latest
 * C1 after the release, as D1 = C1). Global: the ncpus ready jobs with the
 * earliest deadlines run (free migration: optimistic for global EDF).
 * Jobs run their full budget; periodic, synchronous release (the worst case
 * for EDF demand), so one hyperperiod of periods with a small LCM suffices.
 * Ties go to the lower task index. Time in ns.
 *
 * Also the random task-set generators both use (UUniFast-discard, a period
 * set with a small LCM) and a deterministic generator (xorshift64*).
 */
#ifndef TAKT_UNIT_SMP_REFSIM_H
#define TAKT_UNIT_SMP_REFSIM_H

#include <stdbool.h>
#include <stdint.h>

#define SMP_SIM_TASKS 32
#define SMP_SIM_MS 1000000ull
/* Periods (ms), about log-uniform over 1..100 ms; their LCM is 200 ms. */
#define SMP_SIM_NPERIODS 11
#define SMP_SIM_HYPER (200 * SMP_SIM_MS)

struct smp_sim_piece {
	unsigned cpu;    /* ignored by the global simulation */
	uint64_t c, d;   /* budget; deadline relative to the job's release */
};

struct smp_sim_task {
	uint64_t period;
	unsigned npieces; /* 1, or 2 for a split task (global: 1) */
	struct smp_sim_piece piece[2];
};

/* The task place.c placed as r (kernel/sched/place.h), for the partitioned
 * simulation: each piece on its CPU, its deadline counted from the job's
 * release. */
struct place_result;
void smp_sim_of_place(const struct place_result *r, struct smp_sim_task *t);

/* The shares of a and b are the same (their pieces, sums, split count and
 * bound, byte for byte); with_gen: and no change was counted between them.
 * The exact test's work count never enters. */
struct place_sys;
bool place_same(const struct place_sys *a, const struct place_sys *b, bool with_gen);

struct smp_sim_miss {
	unsigned task;
	uint64_t release, deadline;
};

/* Simulate [0, horizon). @return the number of deadline misses; the first one
 * in *first (if not NULL). */
long smp_sim_partitioned(const struct smp_sim_task *t, unsigned n, unsigned ncpus,
			 uint64_t horizon, struct smp_sim_miss *first);
long smp_sim_global(const struct smp_sim_task *t, unsigned n, unsigned ncpus,
		    uint64_t horizon, struct smp_sim_miss *first);

/* A generated task (implicit deadline): utilisation and period. */
struct smp_gen_task {
	double u;
	uint64_t period;
};

uint64_t smp_rand(uint64_t *state);      /* xorshift64*, state != 0 */
double smp_rand_unit(uint64_t *state);   /* [0, 1) */
/* n utilisations summing to total, each in [lo, hi]: UUniFast of total - n*lo
 * over n, discarding draws with one above hi - lo. @return false if the
 * range makes it impossible. */
bool smp_gen_uunifast(uint64_t *state, unsigned n, double total, double lo, double hi,
		      double *u);
/* A period drawn from the SMP_SIM_NPERIODS set. */
uint64_t smp_gen_period(uint64_t *state);

#endif /* TAKT_UNIT_SMP_REFSIM_H */
