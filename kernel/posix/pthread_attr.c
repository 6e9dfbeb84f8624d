/* pthread attributes (what pthread_create takes), and the FIFO/RR check sched.c uses too. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>

#include <takt/thread.h>

#include "posix_internal.h"

#define CHECK_ATTR(a)                                                          \
	do {                                                                   \
		if (!(a) || (a)->__magic != POSIX_ATTR_MAGIC)                 \
			return EINVAL;                                         \
	} while (0)

int pthread_attr_init(pthread_attr_t *a)
{
	if (!a)
		return EINVAL;
	memset(a, 0, sizeof(*a));
	a->__magic = POSIX_ATTR_MAGIC;
	a->__detachstate = PTHREAD_CREATE_JOINABLE;
	a->__inheritsched = PTHREAD_INHERIT_SCHED;
	a->__schedpolicy = SCHED_FIFO;
	a->__scope = PTHREAD_SCOPE_SYSTEM;
	a->__stacksize = PTHREAD_STACK_DEFAULT;
	return 0;
}

int pthread_attr_destroy(pthread_attr_t *a)
{
	CHECK_ATTR(a);
	a->__magic = 0;
	return 0;
}

int pthread_attr_setdetachstate(pthread_attr_t *a, int state)
{
	CHECK_ATTR(a);
	if (state != PTHREAD_CREATE_JOINABLE && state != PTHREAD_CREATE_DETACHED)
		return EINVAL;
	a->__detachstate = state;
	return 0;
}

int pthread_attr_getdetachstate(const pthread_attr_t *a, int *state)
{
	CHECK_ATTR(a);
	if (!state)
		return EINVAL;
	*state = a->__detachstate;
	return 0;
}

int pthread_attr_setstacksize(pthread_attr_t *a, size_t size)
{
	CHECK_ATTR(a);
	if (size < PTHREAD_STACK_MIN)
		return EINVAL;
	a->__stacksize = size;
	return 0;
}

int pthread_attr_getstacksize(const pthread_attr_t *a, size_t *size)
{
	CHECK_ATTR(a);
	if (!size)
		return EINVAL;
	*size = a->__stacksize;
	return 0;
}

/* The stack is [addr, addr + size) (POSIX setstack: the lowest address). */
int pthread_attr_setstack(pthread_attr_t *a, void *addr, size_t size)
{
	CHECK_ATTR(a);
	if (!addr || size < PTHREAD_STACK_MIN || (uintptr_t)addr > UINTPTR_MAX - size)
		return EINVAL;
	a->__stackaddr = addr;
	a->__stacksize = size;
	return 0;
}

int pthread_attr_getstack(const pthread_attr_t *a, void **addr, size_t *size)
{
	CHECK_ATTR(a);
	if (!addr || !size)
		return EINVAL;
	*addr = a->__stackaddr;
	*size = a->__stacksize;
	return 0;
}

int pthread_attr_setguardsize(pthread_attr_t *a, size_t size)
{
	CHECK_ATTR(a);
	a->__guardsize = size;
	return 0;
}

int pthread_attr_getguardsize(const pthread_attr_t *a, size_t *size)
{
	CHECK_ATTR(a);
	if (!size)
		return EINVAL;
	*size = a->__guardsize;
	return 0;
}

int pthread_attr_setscope(pthread_attr_t *a, int scope)
{
	CHECK_ATTR(a);
	if (scope == PTHREAD_SCOPE_PROCESS)
		return ENOTSUP;
	if (scope != PTHREAD_SCOPE_SYSTEM)
		return EINVAL;
	a->__scope = scope;
	return 0;
}

int pthread_attr_getscope(const pthread_attr_t *a, int *scope)
{
	CHECK_ATTR(a);
	if (!scope)
		return EINVAL;
	*scope = a->__scope;
	return 0;
}

int pthread_attr_setinheritsched(pthread_attr_t *a, int inherit)
{
	CHECK_ATTR(a);
	if (inherit != PTHREAD_INHERIT_SCHED && inherit != PTHREAD_EXPLICIT_SCHED)
		return EINVAL;
	a->__inheritsched = inherit;
	return 0;
}

int pthread_attr_getinheritsched(const pthread_attr_t *a, int *inherit)
{
	CHECK_ATTR(a);
	if (!inherit)
		return EINVAL;
	*inherit = a->__inheritsched;
	return 0;
}

/* SCHED_FIFO or SCHED_RR; SCHED_OTHER, BATCH and IDLE do not exist here
 * (ENOTSUP), SCHED_DEADLINE is set with sched_setattr (EINVAL, as Linux). */
int pthread_attr_setschedpolicy(pthread_attr_t *a, int policy)
{
	CHECK_ATTR(a);
	if (policy == SCHED_OTHER || policy == SCHED_BATCH || policy == SCHED_IDLE)
		return ENOTSUP;
	if (policy != SCHED_FIFO && policy != SCHED_RR)
		return EINVAL;
	a->__schedpolicy = policy;
	return 0;
}

int pthread_attr_getschedpolicy(const pthread_attr_t *a, int *policy)
{
	CHECK_ATTR(a);
	if (!policy)
		return EINVAL;
	*policy = a->__schedpolicy;
	return 0;
}

/* The priority is checked against the policy at pthread_create (0, the
 * default, is invalid for an explicit SCHED_FIFO/RR, as on Linux). */
int pthread_attr_setschedparam(pthread_attr_t *a, const struct sched_param *p)
{
	CHECK_ATTR(a);
	if (!p || p->sched_priority < 0 || p->sched_priority > TK_PRIO_MAX)
		return EINVAL;
	a->__schedparam = *p;
	return 0;
}

int pthread_attr_getschedparam(const pthread_attr_t *a, struct sched_param *p)
{
	CHECK_ATTR(a);
	if (!p)
		return EINVAL;
	*p = a->__schedparam;
	return 0;
}

int posix_sched_fp(int policy, int prio, struct tk_sched *s)
{
	if (policy == SCHED_OTHER || policy == SCHED_BATCH || policy == SCHED_IDLE)
		return ENOTSUP;
	if (policy != SCHED_FIFO && policy != SCHED_RR)
		return EINVAL;
	if (prio < TK_PRIO_MIN || prio > TK_PRIO_MAX)
		return EINVAL;
	memset(s, 0, sizeof(*s));
	s->policy = policy == SCHED_RR ? TK_SCHED_RR : TK_SCHED_FIFO;
	s->prio = prio;
	return 0;
}

