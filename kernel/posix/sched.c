/*
 * <sched.h>: sched_yield, the POSIX sched_* calls and Linux's
 * sched_setattr/sched_getattr, on tk_thread_setsched/getsched. Policy
 * numbers are Linux's and the kernel's alike (FIFO 1, RR 2, DEADLINE 6).
 * All calls return -1 with errno on error. A pid is a thread id
 * (gettid()); 0 and getpid() mean the caller (posix_thread_of_pid).
 *
 * sched_setattr follows Linux's checks (kernel/sched/syscalls.c,
 * sched_copy_attr and __checkparam_dl): size 0 means VER0, an unknown
 * size is E2BIG with attr->size set to ours, unknown flags are EINVAL,
 * FIFO/RR need a priority 1..99 and DEADLINE priority 0 with
 * 1024 ns <= runtime <= deadline <= period (period 0 = deadline) and no
 * value with bit 63 set. Not checked here: Linux's sysctl bounds on the
 * period (100 us .. 4 s); the kernel applies its own limits (EINVAL) and
 * its admission bound (EBUSY). Not supported: SCHED_OTHER/BATCH/IDLE,
 * SCHED_FLAG_RECLAIM, SCHED_FLAG_DL_OVERRUN (EINVAL); the utilisation
 * clamps are checked and ignored, SCHED_FLAG_RESET_ON_FORK is ignored
 * (there is no fork).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>

#include <takt/thread.h>

#include "../thread_impl.h"	/* TK_RR_SLICE_DEFAULT */
#include "posix_internal.h"

#define POSIX_ATTR_SIZE_MAX 4096u		/* Linux: PAGE_SIZE */
#define POSIX_UCLAMP_MAX 1024u		/* SCHED_CAPACITY_SCALE */
#define POSIX_DL_RUNTIME_MIN 1024u		/* 1 << DL_SCALE */

_Static_assert(SCHED_FIFO == TK_SCHED_FIFO && SCHED_RR == TK_SCHED_RR &&
	       SCHED_DEADLINE == TK_SCHED_DEADLINE, "policy numbers agree");
_Static_assert(sizeof(struct sched_attr) == SCHED_ATTR_SIZE_VER1, "Linux's layout");
_Static_assert(offsetof(struct sched_attr, sched_runtime) == 24, "Linux's layout");

static int fail(int err)
{
	errno = err;
	return -1;
}

int sched_yield(void)
{
	tk_yield();
	return 0;
}

int sched_get_priority_max(int policy)
{
	if (policy == SCHED_FIFO || policy == SCHED_RR)
		return TK_PRIO_MAX;
	if (policy == SCHED_DEADLINE || policy == SCHED_OTHER || policy == SCHED_BATCH ||
	    policy == SCHED_IDLE)
		return 0;
	return fail(EINVAL);
}

int sched_get_priority_min(int policy)
{
	if (policy == SCHED_FIFO || policy == SCHED_RR)
		return TK_PRIO_MIN;
	if (policy == SCHED_DEADLINE || policy == SCHED_OTHER || policy == SCHED_BATCH ||
	    policy == SCHED_IDLE)
		return 0;
	return fail(EINVAL);
}

static int lookup(pid_t pid, tk_thread_t **t, struct tk_sched *cur)
{
	if (pid < 0)
		return EINVAL;
	*t = posix_thread_of_pid(pid);
	if (!*t)
		return ESRCH;
	return posix_err(tk_thread_getsched(*t, cur));
}

static int apply(tk_thread_t *t, const struct tk_sched *s)
{
	int rc = tk_thread_setsched(t, s);

	return rc ? fail(posix_err(rc)) : 0;
}

/* SCHED_FIFO/RR only: SCHED_DEADLINE needs sched_setattr (EINVAL, as
 * Linux). Returns 0 (Linux), not the former policy. */
int sched_setscheduler(pid_t pid, int policy, const struct sched_param *p)
{
	struct tk_sched cur, s;
	tk_thread_t *t;
	int rc;

	if (!p || pid < 0)
		return fail(EINVAL);
	rc = posix_sched_fp(policy & ~SCHED_RESET_ON_FORK, p->sched_priority, &s);
	if (rc)
		return fail(EINVAL);
	rc = lookup(pid, &t, &cur);
	if (rc)
		return fail(rc);
	if (cur.policy == TK_SCHED_RR && s.policy == TK_SCHED_RR)
		s.rr_slice_ns = cur.rr_slice_ns;
	return apply(t, &s);
}

int sched_getscheduler(pid_t pid)
{
	struct tk_sched cur;
	tk_thread_t *t;
	int rc = lookup(pid, &t, &cur);

	return rc ? fail(rc) : (int)cur.policy;
}

/* The priority within the current policy; for a deadline thread only 0,
 * which changes nothing (Linux). */
int sched_setparam(pid_t pid, const struct sched_param *p)
{
	struct tk_sched cur;
	tk_thread_t *t;
	int rc;

	if (!p || pid < 0)
		return fail(EINVAL);
	rc = lookup(pid, &t, &cur);
	if (rc)
		return fail(rc);
	if (cur.policy == TK_SCHED_DEADLINE)
		return p->sched_priority == 0 ? 0 : fail(EINVAL);
	if (p->sched_priority < TK_PRIO_MIN || p->sched_priority > TK_PRIO_MAX)
		return fail(EINVAL);
	cur.prio = p->sched_priority;
	return apply(t, &cur);
}

int sched_getparam(pid_t pid, struct sched_param *p)
{
	struct tk_sched cur;
	tk_thread_t *t;
	int rc;

	if (!p || pid < 0)
		return fail(EINVAL);
	rc = lookup(pid, &t, &cur);
	if (rc)
		return fail(rc);
	memset(p, 0, sizeof(*p));
	p->sched_priority = cur.policy == TK_SCHED_DEADLINE ? 0 : cur.prio;
	return 0;
}

/* The round-robin slice of an SCHED_RR thread; 0 for the other policies
 * (they have none). */
int sched_rr_get_interval(pid_t pid, struct timespec *ts)
{
	struct tk_sched cur;
	tk_thread_t *t;
	uint64_t ns = 0;
	int rc;

	if (!ts || pid < 0)
		return fail(EINVAL);
	rc = lookup(pid, &t, &cur);
	if (rc)
		return fail(rc);
	if (cur.policy == TK_SCHED_RR)
		ns = cur.rr_slice_ns ? cur.rr_slice_ns : TK_RR_SLICE_DEFAULT;
	ts->tv_sec = (time_t)(ns / 1000000000u);
	ts->tv_nsec = (long)(ns % 1000000000u);
	return 0;
}

/* Linux's sched_copy_attr: 0 or E2BIG (with attr->size set to ours). */
static int copy_attr(struct sched_attr *uattr, struct sched_attr *a)
{
	uint32_t size = uattr->size ? uattr->size : SCHED_ATTR_SIZE_VER0;

	if (size < SCHED_ATTR_SIZE_VER0 || size > POSIX_ATTR_SIZE_MAX)
		goto too_big;
	/* A larger struct from a newer ABI: its extra fields must be 0. */
	for (uint32_t i = sizeof(*a); i < size; i++)
		if (((const unsigned char *)uattr)[i])
			goto too_big;
	memset(a, 0, sizeof(*a));
	memcpy(a, uattr, size < sizeof(*a) ? size : sizeof(*a));
	a->size = size;
	return 0;
too_big:
	uattr->size = sizeof(*a);
	return E2BIG;
}

static int check_uclamp(const struct sched_attr *a)
{
	if (!(a->sched_flags & SCHED_FLAG_UTIL_CLAMP))
		return 0;
	if (a->size < SCHED_ATTR_SIZE_VER1)
		return EINVAL;
	/* (u32)-1 resets a clamp (Linux). */
	if ((a->sched_flags & SCHED_FLAG_UTIL_CLAMP_MIN) && a->sched_util_min != UINT32_MAX &&
	    a->sched_util_min > POSIX_UCLAMP_MAX)
		return EINVAL;
	if ((a->sched_flags & SCHED_FLAG_UTIL_CLAMP_MAX) && a->sched_util_max != UINT32_MAX &&
	    a->sched_util_max > POSIX_UCLAMP_MAX)
		return EINVAL;
	return 0;
}

/* Linux's __checkparam_dl, without the sysctl period bounds. */
static int dl_params(const struct sched_attr *a, struct tk_sched *s)
{
	uint64_t period = a->sched_period ? a->sched_period : a->sched_deadline;

	if (a->sched_priority != 0 || a->sched_deadline == 0 ||
	    a->sched_runtime < POSIX_DL_RUNTIME_MIN)
		return EINVAL;
	if ((a->sched_deadline | a->sched_period) & (1ull << 63))
		return EINVAL;
	if (a->sched_runtime > a->sched_deadline || a->sched_deadline > period)
		return EINVAL;
	memset(s, 0, sizeof(*s));
	s->policy = TK_SCHED_DEADLINE;
	s->runtime = a->sched_runtime;
	s->deadline = a->sched_deadline;
	s->period = period;
	return 0;
}

/* The new parameters from a (validated) and the current ones. */
static int new_params(const struct sched_attr *a, const struct tk_sched *cur, struct tk_sched *s)
{
	uint32_t policy = a->sched_flags & SCHED_FLAG_KEEP_POLICY ? (uint32_t)cur->policy
								  : a->sched_policy;
	int rc;

	if (a->sched_flags & SCHED_FLAG_KEEP_PARAMS) {
		if (policy != (uint32_t)cur->policy)
			return EINVAL;	/* new policy, old parameters: they do not fit */
		*s = *cur;
		return 0;
	}
	if (policy == SCHED_DEADLINE)
		return dl_params(a, s);
	if (a->sched_priority > (uint32_t)TK_PRIO_MAX)
		return EINVAL;
	rc = posix_sched_fp((int)policy, (int)a->sched_priority, s);
	if (rc)
		return EINVAL;
	if (cur->policy == TK_SCHED_RR && s->policy == TK_SCHED_RR)
		s->rr_slice_ns = cur->rr_slice_ns;
	return 0;
}

int sched_setattr(pid_t pid, struct sched_attr *uattr, unsigned int flags)
{
	struct sched_attr a;
	struct tk_sched cur, s;
	tk_thread_t *t;
	int rc;

	if (!uattr || pid < 0 || flags)
		return fail(EINVAL);
	rc = copy_attr(uattr, &a);
	if (rc)
		return fail(rc);
	if ((a.sched_flags & ~(uint64_t)SCHED_FLAG_ALL) ||
	    (a.sched_flags & (SCHED_FLAG_RECLAIM | SCHED_FLAG_DL_OVERRUN)))
		return fail(EINVAL);
	rc = check_uclamp(&a);
	if (rc)
		return fail(rc);
	rc = lookup(pid, &t, &cur);
	if (rc)
		return fail(rc);
	rc = new_params(&a, &cur, &s);
	if (rc)
		return fail(rc);
	return apply(t, &s);
}

int sched_getattr(pid_t pid, struct sched_attr *uattr, unsigned int size, unsigned int flags)
{
	struct sched_attr a;
	struct tk_sched cur;
	tk_thread_t *t;
	int rc;

	if (!uattr || pid < 0 || flags || size < SCHED_ATTR_SIZE_VER0 || size > POSIX_ATTR_SIZE_MAX)
		return fail(EINVAL);
	rc = lookup(pid, &t, &cur);
	if (rc)
		return fail(rc);
	memset(&a, 0, sizeof(a));
	a.size = size < sizeof(a) ? size : sizeof(a);
	a.sched_policy = (uint32_t)cur.policy;
	if (cur.policy == TK_SCHED_DEADLINE) {
		a.sched_runtime = cur.runtime;
		a.sched_deadline = cur.deadline;
		a.sched_period = cur.period ? cur.period : cur.deadline;
	} else {
		a.sched_priority = (uint32_t)cur.prio;
	}
	a.sched_util_min = 0;
	a.sched_util_max = POSIX_UCLAMP_MAX;
	memcpy(uattr, &a, a.size);
	return 0;
}
