/*
 * CBS rules of a deadline entity (see dl.h). Each rule cites the section of
 * Documentation/scheduler/sched-deadline.rst ("rst") and the Linux function
 * of kernel/sched/deadline.c it follows.
 *
 * Deadline miss, precisely. A job is released when the entity becomes
 * runnable after a wake-up, or at the replenishment that follows a yield
 * (or a wake-up that found it throttled); its deadline is the scheduling
 * deadline at that moment (job_deadline). It ends at dl_yield or dl_block.
 * A miss is counted once per job, at the first of:
 *   - dl_charge at now > job_deadline (it was still running after it);
 *   - dl_replenish at now >= job_deadline of a job that is still active
 *     (it overran its budget and was throttled, unfinished, until at least
 *     its deadline);
 *   - dl_yield / dl_block at now > job_deadline (it ended late).
 * A job that ends exactly at its deadline is on time. The count is exact;
 * the moment it is observed can lag behind the deadline (until the entity
 * next runs), which is why no timer is spent on it.
 */
#include <errno.h>

#include "dl.h"
#include "hot.h"

uint64_t dl_to_ratio(uint64_t period, uint64_t runtime)
{
	if (!period)
		return 0;
	return (runtime << BW_SHIFT) / period;
}

/* rst 4.2 (sched_attr: runtime <= deadline <= period) and Linux
 * __checkparam_dl: deadline != 0, runtime >= 2^DL_SCALE, no MSB set (we bound
 * tighter, DL_PERIOD_MAX, so no product below can overflow). */
int dl_check_params(const struct dl_params *p)
{
	uint64_t period = p->period ? p->period : p->deadline;

	if (p->runtime < DL_RUNTIME_MIN || p->deadline < p->runtime)
		return -EINVAL;
	if (period < p->deadline || period > DL_PERIOD_MAX)
		return -EINVAL;
	return 0;
}

static void set_params(struct dl_entity *dl, const struct dl_params *p)
{
	dl->dl_runtime = p->runtime;
	dl->dl_deadline = p->deadline;
	dl->dl_period = p->period ? p->period : p->deadline;
	dl->dl_bw = dl_to_ratio(dl->dl_period, dl->dl_runtime);
	dl->dl_density = dl_to_ratio(dl->dl_deadline, dl->dl_runtime);
}

int dl_init(struct dl_entity *dl, const struct dl_params *p)
{
	int err = dl_check_params(p);

	if (err)
		return err;
	rb_node_init(&dl->node);
	timeout_init(&dl->timer);
	set_params(dl, p);
	/* rst 2.1: "These two parameters are initially set to 0". */
	dl->runtime = 0;
	dl->deadline = 0;
	dl->job_deadline = 0;
	dl->throttled = false;
	dl->sleeping = true;
	dl->fresh = true;
	dl->job_active = false;
	dl->job_missed = false;
	dl->nr_overruns = 0;
	dl->nr_misses = 0;
	return 0;
}

int dl_set_params(struct dl_entity *dl, const struct dl_params *p)
{
	int err = dl_check_params(p);

	if (err)
		return err;
	set_params(dl, p);
	/* Never keep more budget than the new reservation grants. */
	if (dl->runtime > (int64_t)dl->dl_runtime)
		dl->runtime = (int64_t)dl->dl_runtime;
	if (dl->sleeping && !dl->throttled)
		dl->fresh = true;
	return 0;
}

/* a * b < c * d, exactly: 64x64 -> 128-bit products from 32-bit halves.
 * Linux dl_entity_overflow() drops DL_SCALE low bits of each factor to stay
 * in 64 bits; the exact form needs no such rounding. */
static void mul_64x64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
	uint64_t al = (uint32_t)a, ah = a >> 32, bl = (uint32_t)b, bh = b >> 32;
	uint64_t p0 = al * bl, p1 = al * bh, p2 = ah * bl, p3 = ah * bh;
	uint64_t mid = (p0 >> 32) + (uint32_t)p1 + (uint32_t)p2;

	*lo = (mid << 32) | (uint32_t)p0;
	*hi = p3 + (p1 >> 32) + (p2 >> 32) + (mid >> 32);
}

static bool mul_lt(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	uint64_t h1, l1, h2, l2;

	mul_64x64(a, b, &h1, &l1);
	mul_64x64(c, d, &h2, &l2);
	return h1 < h2 || (h1 == h2 && l1 < l2);
}

/* rst 2.1 wake-up test, runtime / (deadline - now) > dl_runtime / dl_deadline,
 * cross-multiplied (Linux dl_entity_overflow). Linux compares against the
 * relative deadline, not the period as the rst's formula reads; the two
 * agree for implicit deadlines and the deadline is right for constrained
 * ones (commit "Use deadline instead of period when calculating overflow").
 * Needs deadline >= now and runtime > 0. */
static bool cbs_overflow(const struct dl_entity *dl, uint64_t now)
{
	return mul_lt(dl->deadline - now, dl->dl_runtime, (uint64_t)dl->runtime, dl->dl_deadline);
}

/* rst 2.1: "scheduling deadline = current time + deadline, remaining
 * runtime = runtime" (Linux replenish_dl_new_period). */
static void new_period(struct dl_entity *dl, uint64_t now)
{
	dl->deadline = now + dl->dl_deadline;
	dl->runtime = (int64_t)dl->dl_runtime;
}

static void release_job(struct dl_entity *dl)
{
	dl->job_active = true;
	dl->job_missed = false;
	dl->job_deadline = dl->deadline;
}

/* Count a miss of the active job if now is past its deadline; at_deadline
 * also counts now == job_deadline (see the definition at the top). */
static unsigned check_miss(struct dl_entity *dl, uint64_t now, bool at_deadline)
{
	if (!dl->job_active || dl->job_missed)
		return 0;
	if (now < dl->job_deadline || (now == dl->job_deadline && !at_deadline))
		return 0;
	dl->job_missed = true;
	dl->nr_misses++;
	return DL_EV_MISS;
}

/* rst 2.1: "cannot be scheduled until" the replenishment time, the start of
 * the next period (Linux start_dl_timer arms dl_next_period(): the rst's
 * "scheduling deadline" for implicit deadlines). If that moment has passed
 * already, Linux does not arm a timer in the past but replenishes at once
 * (update_curr_dl: enqueue_task_dl(ENQUEUE_REPLENISH)); so do we. */
static unsigned throttle(struct dl_entity *dl, uint64_t now)
{
	dl->throttled = true;
	if (dl_next_period(dl) > now)
		return DL_EV_THROTTLED;
	return dl_replenish(dl, now);
}

/* Linux update_dl_revised_wakeup (commit 3effcb4247e7): a constrained task
 * (deadline < period) waking before its deadline with too much budget left
 * for the time remaining keeps its deadline, but only the budget its density
 * allows in the laxity left: runtime = dl_density * laxity. Resetting the
 * deadline instead would leak bandwidth to self-suspending tasks. */
static unsigned revised_wakeup(struct dl_entity *dl, uint64_t now)
{
	uint64_t laxity = dl->deadline - now; /* < dl_deadline: see cbs_overflow */

	dl->runtime = (int64_t)((dl->dl_density * laxity) >> BW_SHIFT);
	if (dl->runtime > 0)
		return DL_EV_RUNNABLE;
	/* Nothing left before the deadline (Linux would run it with a zero
	 * budget and throttle it at the first charge): throttle it now. */
	return throttle(dl, now);
}

/* Linux dl_check_constrained_dl: a constrained task woken after its
 * deadline but before its next period must not start a new period early
 * (that would exceed its density); it waits, throttled, for the period. */
static bool woke_in_gap(const struct dl_entity *dl, uint64_t now)
{
	return dl->dl_deadline < dl->dl_period && dl->deadline < now && now < dl_next_period(dl);
}

/* rst 2.1 wake-up rule (Linux update_dl_entity). */
static unsigned update_entity(struct dl_entity *dl, uint64_t now)
{
	if (dl->fresh) { /* Linux setup_new_dl_entity */
		dl->fresh = false;
		new_period(dl, now);
		return DL_EV_RUNNABLE;
	}
	if (woke_in_gap(dl, now)) {
		if (dl->runtime > 0)
			dl->runtime = 0;
		return throttle(dl, now);
	}
	if (dl->deadline >= now && !cbs_overflow(dl, now))
		return DL_EV_RUNNABLE; /* keep deadline and budget */
	if (dl->deadline >= now && dl->dl_deadline != dl->dl_period)
		return revised_wakeup(dl, now);
	new_period(dl, now);
	return DL_EV_RUNNABLE;
}

SCHED_HOT unsigned dl_wakeup(struct dl_entity *dl, uint64_t now)
{
	unsigned ev;

	dl->sleeping = false;
	if (dl->throttled) /* the pending timer releases the job */
		return 0;
	ev = update_entity(dl, now);
	if (ev & DL_EV_RUNNABLE)
		release_job(dl);
	return ev;
}

/* rst 2.1: "remaining runtime = remaining runtime - t"; at <= 0 the task is
 * throttled (Linux update_curr_dl, dl_runtime_exceeded). */
unsigned dl_charge(struct dl_entity *dl, uint64_t now, uint64_t delta)
{
	/* No time used, nothing to charge: the scheduler charges the current
	 * thread once more right after it yields, throttled at runtime 0, and
	 * that is not an overrun. */
	if (delta == 0 && dl->throttled)
		return 0;
	unsigned ev = check_miss(dl, now, false);

	dl->runtime -= (int64_t)delta;
	if (dl->runtime > 0)
		return ev;
	dl->nr_overruns++;
	return ev | DL_EV_OVERRUN | throttle(dl, now);
}

/* Charge the job's last delta and end it. Ending with runtime exactly 0
 * used the whole budget without exceeding it: not an overrun. */
static unsigned end_job(struct dl_entity *dl, uint64_t now, uint64_t delta)
{
	unsigned ev;

	dl->runtime -= (int64_t)delta;
	ev = check_miss(dl, now, false);
	dl->job_active = false;
	if (dl->runtime < 0) {
		dl->nr_overruns++;
		ev |= DL_EV_OVERRUN;
	}
	return ev;
}

/* rst 4.4: a yielding task gives up its remaining runtime and is throttled
 * until its next period, when it is replenished with a new deadline (Linux
 * yield_task_dl + replenish_dl_entity's dl_yielded case). */
unsigned dl_yield(struct dl_entity *dl, uint64_t now, uint64_t delta)
{
	unsigned ev = end_job(dl, now, delta);

	if (dl->runtime > 0)
		dl->runtime = 0;
	return ev | throttle(dl, now);
}

/* Blocking keeps deadline and budget for the wake-up rule to judge. A budget
 * used up exactly (or exceeded) on the way out still throttles, so that the
 * invariant "not throttled => runtime > 0" holds. */
unsigned dl_block(struct dl_entity *dl, uint64_t now, uint64_t delta)
{
	unsigned ev = end_job(dl, now, delta);

	dl->sleeping = true;
	if (dl->runtime > 0)
		return ev;
	return ev | (throttle(dl, now) & ~DL_EV_RUNNABLE);
}

/* rst 2.1 replenishment: "scheduling deadline = scheduling deadline + period,
 * remaining runtime = remaining runtime + runtime", repeated until runtime > 0
 * (Linux replenish_dl_entity's loop, done here in O(1): n periods where
 * n = floor(-runtime / dl_runtime) + 1). */
unsigned dl_replenish(struct dl_entity *dl, uint64_t now)
{
	unsigned ev = check_miss(dl, now, true) | DL_EV_REPLENISHED;
	uint64_t n;

	if (dl->runtime <= 0) {
		n = (uint64_t)(-dl->runtime) / dl->dl_runtime + 1;
		dl->deadline += n * dl->dl_period;
		dl->runtime += (int64_t)(n * dl->dl_runtime);
	}
	/* Linux: "DL replenish lagged too much": a deadline still in the past
	 * starts a new period from now. */
	if (dl->deadline < now)
		new_period(dl, now);
	dl->throttled = false;
	if (dl->sleeping)
		return ev;
	if (!dl->job_active)
		release_job(dl);
	return ev | DL_EV_RUNNABLE;
}
