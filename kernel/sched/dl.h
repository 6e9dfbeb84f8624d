/*
 * Deadline class: the CBS rules of one SCHED_DEADLINE entity, as in Linux
 * (Documentation/scheduler/sched-deadline.rst, "sched-deadline.rst" below,
 * and kernel/sched/deadline.c). Pure arithmetic on a caller-owned struct:
 * every call takes the current time, none touches a queue. rq.c keeps the
 * ready tree and the replenishment timers in step with the state here.
 *
 * State of an entity:
 *
 *     dl_init/          wakeup             charge: runtime <= 0
 *     set_params  +--------------+  +---------------------------+
 *         |       |              v  |                           v
 *         +---> sleeping      runnable ---------------------> throttled
 *                 ^  |           |   yield (runtime := 0)        |
 *                 |  |           +--> block --> sleeping         | timer at
 *                 |  +--- wakeup while throttled: stays throttled| next period:
 *                 |                                              | replenish
 *                 +---- (sleeping) <------------------------------+--> runnable
 *
 * Invariant: an entity that is not throttled has runtime > 0 (or is fresh:
 * it has never run and gets a new period when it first wakes).
 *
 * Units: ns. Bandwidths are fixed point with BW_SHIFT fraction bits (Linux).
 */
#ifndef TAKT_SCHED_DL_H
#define TAKT_SCHED_DL_H

#include <stdbool.h>
#include <stdint.h>

#include "rbtree.h"
#include "timerq.h"

#define BW_SHIFT 20
#define BW_UNIT (1ull << BW_SHIFT)
/* Linux __checkparam_dl: runtime >= 2^DL_SCALE ns (DL_SCALE = 10). */
#define DL_RUNTIME_MIN 1024ull
/* Upper bound on deadline and period: keeps (runtime << BW_SHIFT) and the
 * revised-rule product below 2^64 (about 18 minutes; Linux's default
 * sched_deadline_period_max_us is 4.2 s). */
#define DL_PERIOD_MAX (1ull << 40)

/* The sched_attr triple. period 0 means period = deadline (Linux). */
struct dl_params {
	uint64_t runtime, deadline, period;
};

/* What a call did; rq.c and the kernel react to these bits. */
enum dl_event {
	DL_EV_RUNNABLE = 1u << 0,    /* may run now: belongs in the ready tree */
	DL_EV_THROTTLED = 1u << 1,   /* off the ready tree until dl_next_period() */
	DL_EV_REPLENISHED = 1u << 2, /* new deadline and budget */
	DL_EV_OVERRUN = 1u << 3,     /* the job needed more than its budget */
	DL_EV_MISS = 1u << 4,        /* the job is late (see dl.c, "deadline miss") */
};

struct dl_entity {
	struct rb_node node;  /* EDF ready tree, key = deadline, while runnable */
	struct timeout timer; /* replenishment, pending while throttled */

	uint64_t dl_runtime, dl_deadline, dl_period; /* parameters */
	uint64_t dl_bw;      /* (dl_runtime << BW_SHIFT) / dl_period */
	uint64_t dl_density; /* (dl_runtime << BW_SHIFT) / dl_deadline */

	int64_t runtime;   /* remaining budget; negative after an overrun */
	uint64_t deadline; /* absolute scheduling deadline */

	uint64_t job_deadline; /* deadline of the current job */
	bool throttled;        /* budget exhausted or job ended; waits for the timer */
	bool sleeping;         /* blocked: not runnable even when replenished */
	bool fresh;            /* never woken since dl_init/dl_set_params */
	bool job_active;       /* a job was released and has not ended */
	bool job_missed;       /* its miss was counted already */

	uint32_t nr_overruns; /* jobs that exhausted their budget */
	uint32_t nr_misses;   /* jobs late for their deadline */
};

/* Start of the next period: when a throttled entity is replenished (Linux
 * dl_next_period(); equals the deadline when deadline == period). */
static inline uint64_t dl_next_period(const struct dl_entity *dl)
{
	return dl->deadline - dl->dl_deadline + dl->dl_period;
}

/* (runtime << BW_SHIFT) / period, Linux to_ratio(); 0 if period is 0. */
uint64_t dl_to_ratio(uint64_t period, uint64_t runtime);

/* Validate a parameter triple (Linux __checkparam_dl, with our limits):
 * DL_RUNTIME_MIN <= runtime <= deadline <= period <= DL_PERIOD_MAX.
 * @retval 0, -EINVAL */
int dl_check_params(const struct dl_params *p);

/* Initialize dl with parameters p, sleeping and fresh, counters zero.
 * @retval 0, -EINVAL (dl untouched) */
int dl_init(struct dl_entity *dl, const struct dl_params *p);

/* Change the parameters of a live entity (sched_setattr). The current job
 * keeps its deadline; its remaining budget is clipped to the new runtime;
 * a sleeping entity starts a new period at its next wake-up. The caller
 * has done admission control (dl_bw_change) first.
 * @retval 0, -EINVAL (dl untouched) */
int dl_set_params(struct dl_entity *dl, const struct dl_params *p);

/* The thread becomes ready at now (sched-deadline.rst 2.1, wake-up rule).
 * @retval DL_EV_RUNNABLE, or DL_EV_THROTTLED (constrained task woken between
 *         its deadline and its next period: arm the timer), or 0 (it was
 *         throttled already; the pending timer will make it runnable) */
unsigned dl_wakeup(struct dl_entity *dl, uint64_t now);

/* The running entity executed for delta ns, ending at now.
 * @retval a mask of DL_EV_*: THROTTLED (dequeue, arm the timer), or
 *         OVERRUN|REPLENISHED|RUNNABLE when its next period had begun
 *         already (new deadline: requeue), MISS */
unsigned dl_charge(struct dl_entity *dl, uint64_t now, uint64_t delta);

/* The running entity ends its job after a last delta ns and waits for its
 * next period (sched_yield, sched-deadline.rst 4.4). @retval as dl_charge */
unsigned dl_yield(struct dl_entity *dl, uint64_t now, uint64_t delta);

/* The running entity ends its job after a last delta ns and sleeps
 * (blocks on anything). @retval as dl_charge, never RUNNABLE */
unsigned dl_block(struct dl_entity *dl, uint64_t now, uint64_t delta);

/* The replenishment timer fired (sched-deadline.rst 2.1): new deadline and
 * budget. @retval REPLENISHED, with RUNNABLE unless sleeping, maybe MISS */
unsigned dl_replenish(struct dl_entity *dl, uint64_t now);

#endif /* TAKT_SCHED_DL_H */
