/*
 * Reference model of single-CPU EDF + CBS (SCHED_DEADLINE), for the
 * cross-check in test_sched_sim.c. Written plainly and independently of
 * kernel/sched/ (it shares only struct dl_params): per-task arrays, O(n)
 * scans, Linux's replenishment loop, 128-bit arithmetic for the wake-up test.
 *
 * Both the model and the harness around the real code run the same
 * workload (sim_workload below) and write the same trace: the schedule as
 * segments (who ran from when to when) and every CBS event with the
 * deadline and budget after it. The test compares the two traces.
 */
#ifndef TAKT_UNIT_SCHED_REFSIM_H
#define TAKT_UNIT_SCHED_REFSIM_H

#include <stdbool.h>
#include <stdint.h>

#include "sched/dl.h" /* struct dl_params only */

#define SIM_MAX_TASKS 10
#define SIM_IDLE (-1)
#define SIM_HOG 99 /* the fixed-priority background thread */

enum sim_kind { SIM_YIELDER, SIM_SLEEPER };

/* A task's behaviour: periodic jobs ended by yield, or jobs ended by a
 * block and a sleep. Every choice is a pure function of (seed, job). */
struct sim_task {
	struct dl_params p;
	enum sim_kind kind;
	bool overruns;   /* some jobs need up to 3x the budget */
	bool early;      /* a sleeper that may wake before its period is over */
	uint64_t first_wake;
	uint64_t seed;
};

struct sim_workload {
	int n;
	struct sim_task t[SIM_MAX_TASKS];
	bool hog;         /* an always-ready fixed-priority thread */
	uint64_t bound_bw; /* admission bound */
	uint64_t horizon;
};

/* Work of job j of task t, ns. */
uint64_t sim_demand(const struct sim_task *t, unsigned j);
/* When a sleeper that ended job j at `end` (released at `release`) wakes. */
uint64_t sim_next_wake(const struct sim_task *t, unsigned j, uint64_t release, uint64_t end);
/* A job never needs more than the budget and sleepers respect the period. */
bool sim_well_behaved(const struct sim_task *t);

enum sim_rec_kind {
	REC_WAKE, REC_END, REC_MISS, REC_OVERRUN, REC_THROTTLE, REC_REPLENISH, REC_REJECT
};

struct sim_rec {
	uint64_t t;
	int task;
	enum sim_rec_kind kind;
	uint64_t deadline;
	int64_t runtime;
};

struct sim_seg {
	uint64_t start, end;
	int who; /* task index, SIM_IDLE or SIM_HOG */
};

struct sim_trace {
	struct sim_rec *rec;
	int nrec, maxrec;
	struct sim_seg *seg;
	int nseg, maxseg;
	uint32_t misses[SIM_MAX_TASKS], overruns[SIM_MAX_TASKS];
};

void trace_init(struct sim_trace *tr, int maxrec, int maxseg);
void trace_free(struct sim_trace *tr);
void trace_rec(struct sim_trace *tr, uint64_t t, int task, enum sim_rec_kind kind,
	       uint64_t deadline, int64_t runtime);
/* `who` runs over [start, end); merged with the previous segment if same. */
void trace_run(struct sim_trace *tr, uint64_t start, uint64_t end, int who);

/* Run the reference model over the workload. */
void refsim_run(const struct sim_workload *w, struct sim_trace *tr);

#endif /* TAKT_UNIT_SCHED_REFSIM_H */
