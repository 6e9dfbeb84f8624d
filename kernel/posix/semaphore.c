/*
 * POSIX unnamed semaphores on tk_sem. All calls return 0, or -1 with
 * errno. A sem_t is usable only between sem_init and sem_destroy (EINVAL
 * otherwise); the kernel has no destroy, so sem_destroy only marks it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <semaphore.h>
#include <string.h>

#include <takt/sync.h>

#include "posix_internal.h"

#define SEM_MAGIC 0x7073656d	/* "psem" */

_Static_assert(sizeof(((sem_t *)0)->__kobj) == sizeof(struct tk_sem), "sem_t holds a struct tk_sem");

static inline struct tk_sem *ksem(sem_t *s)
{
	return (struct tk_sem *)s->__kobj;
}

static int fail(int err)
{
	errno = err;
	return -1;
}

static inline bool sem_ok(const sem_t *s)
{
	return s && s->__magic == SEM_MAGIC;
}

/* pshared is accepted either way: there is one address space. */
int sem_init(sem_t *s, int pshared, unsigned int value)
{
	int rc;

	(void)pshared;
	if (!s || value > SEM_VALUE_MAX)
		return fail(EINVAL);
	rc = tk_sem_init(ksem(s), value, SEM_VALUE_MAX);	/* EBUSY: waited on */
	if (rc)
		return fail(posix_err(rc));
	s->__magic = SEM_MAGIC;
	s->__reserved = 0;
	return 0;
}

int sem_destroy(sem_t *s)
{
	if (!sem_ok(s))
		return fail(EINVAL);
	s->__magic = 0;
	return 0;
}

static int take(sem_t *s, uint64_t deadline)
{
	int rc;

	if (!sem_ok(s))
		return fail(EINVAL);
	rc = tk_sem_take(ksem(s), deadline);
	return rc ? fail(posix_err(rc)) : 0;
}

int sem_wait(sem_t *s)
{
	return take(s, TK_FOREVER);
}

int sem_trywait(sem_t *s)
{
	int rc = take(s, 0);	/* a past deadline: try once */

	if (rc && errno == ETIMEDOUT)
		errno = EAGAIN;
	return rc;
}

int sem_timedwait(sem_t *s, const struct timespec *abstime)
{
	uint64_t deadline;
	int rc;

	if (!sem_ok(s))
		return fail(EINVAL);
	rc = posix_abstime(abstime, CLOCK_REALTIME, &deadline);
	return rc ? fail(rc) : take(s, deadline);
}

int sem_clockwait(sem_t *s, clockid_t clock, const struct timespec *abstime)
{
	uint64_t deadline;
	int rc;

	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC)
		return fail(EINVAL);
	if (!sem_ok(s))
		return fail(EINVAL);
	rc = posix_abstime(abstime, clock, &deadline);
	return rc ? fail(rc) : take(s, deadline);
}

int sem_post(sem_t *s)
{
	int rc;

	if (!sem_ok(s))
		return fail(EINVAL);
	rc = tk_sem_give(ksem(s));
	return rc ? fail(posix_err(rc)) : 0;
}

int sem_getvalue(sem_t *s, int *value)
{
	if (!sem_ok(s) || !value)
		return fail(EINVAL);
	*value = (int)tk_sem_count(ksem(s));
	return 0;
}
