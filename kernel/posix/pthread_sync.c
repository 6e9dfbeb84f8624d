/*
 * pthread mutexes and condition variables on tk_mutex / tk_cond.
 *
 * pthread_mutex_t holds the kernel mutex itself plus the owner and its
 * lock depth, kept here so that unlock by a non-owner and destroy of a
 * locked mutex are answered without asking the kernel. All types inherit
 * priority (the kernel mutex always does). A NORMAL or DEFAULT mutex
 * relocked by its owner returns EDEADLK instead of hanging (the kernel
 * detects it; POSIX leaves DEFAULT undefined and asks NORMAL to hang).
 * A zeroed mutex is a NORMAL one (the kernel object initialises itself
 * on first use); PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP is set up on first
 * use here, under a lock.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include <takt/sync.h>
#include <takt/thread.h>

#include "posix_internal.h"

#define MUTEXATTR_MAGIC 0x70746d61	/* "ptma" */
#define CONDATTR_MAGIC 0x70746361	/* "ptca" */
#define DESTROYED (-1)

_Static_assert(sizeof(((pthread_mutex_t *)0)->__kobj) == sizeof(struct tk_mutex),
	       "pthread_mutex_t holds a struct tk_mutex");
_Static_assert(sizeof(((pthread_cond_t *)0)->__kobj) == sizeof(struct tk_cond),
	       "pthread_cond_t holds a struct tk_cond");
_Static_assert(_Alignof(pthread_mutex_t) >= _Alignof(struct tk_mutex), "aligned");
_Static_assert(_Alignof(pthread_cond_t) >= _Alignof(struct tk_cond), "aligned");

static TK_MUTEX_DEFINE(lazy_lock);

static inline struct tk_mutex *kmutex(pthread_mutex_t *m)
{
	return (struct tk_mutex *)m->__kobj;
}

static inline struct tk_cond *kcond(pthread_cond_t *c)
{
	return (struct tk_cond *)c->__kobj;
}

static inline unsigned long self(void)
{
	return (unsigned long)tk_thread_self();
}

/* 0 when m may be used: a known type, and a recursive one set up. */
static int mutex_ready(pthread_mutex_t *m)
{
	int rc = 0;

	if (!m || m->__type < PTHREAD_MUTEX_NORMAL || m->__type > PTHREAD_MUTEX_ERRORCHECK)
		return EINVAL;
	if (m->__type != PTHREAD_MUTEX_RECURSIVE || __atomic_load_n(&m->__ready, __ATOMIC_ACQUIRE))
		return 0;
	tk_mutex_lock(&lazy_lock, TK_FOREVER);
	if (!m->__ready) {
		rc = posix_err(tk_mutex_init(kmutex(m), TK_MUTEX_RECURSIVE));
		if (!rc)
			__atomic_store_n(&m->__ready, 1, __ATOMIC_RELEASE);
	}
	tk_mutex_unlock(&lazy_lock);
	return rc;
}

static void took(pthread_mutex_t *m)
{
	__atomic_store_n(&m->__owner, self(), __ATOMIC_RELAXED);
	m->__count++;
}

static int mutex_lock(pthread_mutex_t *m, uint64_t deadline)
{
	int rc = mutex_ready(m);

	if (rc)
		return rc;
	rc = tk_mutex_lock(kmutex(m), deadline);
	if (rc)
		return posix_err(rc);
	took(m);
	return 0;
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
	return mutex_lock(m, TK_FOREVER);
}

int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime)
{
	uint64_t deadline;
	int rc = posix_abstime(abstime, CLOCK_REALTIME, &deadline);

	return rc ? rc : mutex_lock(m, deadline);
}

/* The kernel tries once for a deadline in the past (0). */
int pthread_mutex_trylock(pthread_mutex_t *m)
{
	int rc = mutex_lock(m, 0);

	return rc == ETIMEDOUT || rc == EDEADLK ? EBUSY : rc;
}

int pthread_mutex_unlock(pthread_mutex_t *m)
{
	int rc = mutex_ready(m);

	if (rc)
		return rc;
	if (__atomic_load_n(&m->__owner, __ATOMIC_RELAXED) != self() || !m->__count)
		return EPERM;
	if (--m->__count == 0)
		__atomic_store_n(&m->__owner, 0, __ATOMIC_RELAXED);
	rc = tk_mutex_unlock(kmutex(m));
	if (rc) {		/* the kernel disagrees: keep our view of it */
		if (m->__count++ == 0)
			__atomic_store_n(&m->__owner, self(), __ATOMIC_RELAXED);
		return posix_err(rc);
	}
	return 0;
}

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a)
{
	int type = PTHREAD_MUTEX_DEFAULT;
	int rc;

	if (!m)
		return EINVAL;
	if (a) {
		if (a->__magic != MUTEXATTR_MAGIC)
			return EINVAL;
		type = a->__type;
	}
	/* the kernel's init first: it refuses a mutex in use (EBUSY) */
	rc = tk_mutex_init(kmutex(m), type == PTHREAD_MUTEX_RECURSIVE ? TK_MUTEX_RECURSIVE : 0);
	if (rc)
		return posix_err(rc);
	m->__owner = 0;
	m->__count = 0;
	m->__reserved = 0;
	m->__type = type;
	m->__ready = 1;
	return 0;
}

/* The kernel has no destroy: a mutex that is not held is simply marked so
 * that later use returns EINVAL (until pthread_mutex_init). */
int pthread_mutex_destroy(pthread_mutex_t *m)
{
	int rc = mutex_ready(m);

	if (rc)
		return rc;
	if (__atomic_load_n(&m->__owner, __ATOMIC_RELAXED) || m->__count)
		return EBUSY;
	m->__type = DESTROYED;
	return 0;
}

/* ---- mutex attributes ---- */

#define CHECK_MATTR(a)                                                         \
	do {                                                                   \
		if (!(a) || (a)->__magic != MUTEXATTR_MAGIC)                   \
			return EINVAL;                                         \
	} while (0)

int pthread_mutexattr_init(pthread_mutexattr_t *a)
{
	if (!a)
		return EINVAL;
	memset(a, 0, sizeof(*a));
	a->__magic = MUTEXATTR_MAGIC;
	a->__type = PTHREAD_MUTEX_DEFAULT;
	a->__protocol = PTHREAD_PRIO_INHERIT;	/* what the kernel does */
	a->__pshared = PTHREAD_PROCESS_PRIVATE;
	return 0;
}

int pthread_mutexattr_destroy(pthread_mutexattr_t *a)
{
	CHECK_MATTR(a);
	a->__magic = 0;
	return 0;
}

int pthread_mutexattr_settype(pthread_mutexattr_t *a, int type)
{
	CHECK_MATTR(a);
	if (type != PTHREAD_MUTEX_NORMAL && type != PTHREAD_MUTEX_RECURSIVE &&
	    type != PTHREAD_MUTEX_ERRORCHECK)
		return EINVAL;
	a->__type = type;
	return 0;
}

int pthread_mutexattr_gettype(const pthread_mutexattr_t *a, int *type)
{
	CHECK_MATTR(a);
	if (!type)
		return EINVAL;
	*type = a->__type;
	return 0;
}

/* PTHREAD_PRIO_NONE is accepted (and reported back) but the kernel mutex
 * inherits all the same; PTHREAD_PRIO_PROTECT is not supported. */
int pthread_mutexattr_setprotocol(pthread_mutexattr_t *a, int protocol)
{
	CHECK_MATTR(a);
	if (protocol == PTHREAD_PRIO_PROTECT)
		return ENOTSUP;
	if (protocol != PTHREAD_PRIO_NONE && protocol != PTHREAD_PRIO_INHERIT)
		return EINVAL;
	a->__protocol = protocol;
	return 0;
}

int pthread_mutexattr_getprotocol(const pthread_mutexattr_t *a, int *protocol)
{
	CHECK_MATTR(a);
	if (!protocol)
		return EINVAL;
	*protocol = a->__protocol;
	return 0;
}

int pthread_mutexattr_setpshared(pthread_mutexattr_t *a, int pshared)
{
	CHECK_MATTR(a);
	if (pshared != PTHREAD_PROCESS_PRIVATE && pshared != PTHREAD_PROCESS_SHARED)
		return EINVAL;
	a->__pshared = pshared;
	return 0;
}

int pthread_mutexattr_getpshared(const pthread_mutexattr_t *a, int *pshared)
{
	CHECK_MATTR(a);
	if (!pshared)
		return EINVAL;
	*pshared = a->__pshared;
	return 0;
}

/* ---- condition variables ---- */

static int cond_wait(pthread_cond_t *c, pthread_mutex_t *m, uint64_t deadline)
{
	unsigned count;
	int rc;

	if (!c)
		return EINVAL;
	rc = mutex_ready(m);
	if (rc)
		return rc;
	if (__atomic_load_n(&m->__owner, __ATOMIC_RELAXED) != self() || !m->__count)
		return EPERM;
	/* The kernel releases and retakes m (also on timeout), a recursive m
	 * whole; the owner fields follow, unless it could not be retaken. */
	count = m->__count;
	m->__count = 0;
	__atomic_store_n(&m->__owner, 0, __ATOMIC_RELAXED);
	rc = tk_cond_wait(kcond(c), kmutex(m), deadline);
	if (rc == -EDEADLK)
		return EDEADLK;
	__atomic_store_n(&m->__owner, self(), __ATOMIC_RELAXED);
	m->__count = count;
	return posix_err(rc);
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	return cond_wait(c, m, TK_FOREVER);
}

/* abstime is on the condition's clock (pthread_condattr_setclock); 0, a
 * PTHREAD_COND_INITIALIZER's (newlib's CLOCK_REALTIME is 1), is REALTIME. */
int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime)
{
	uint64_t deadline;
	int clock = c && c->__clock ? c->__clock : (int)CLOCK_REALTIME;
	int rc = posix_abstime(abstime, clock, &deadline);

	return rc ? rc : cond_wait(c, m, deadline);
}

int pthread_cond_signal(pthread_cond_t *c)
{
	return c ? posix_err(tk_cond_signal(kcond(c))) : EINVAL;
}

int pthread_cond_broadcast(pthread_cond_t *c)
{
	return c ? posix_err(tk_cond_broadcast(kcond(c))) : EINVAL;
}

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a)
{
	if (!c || (a && a->__magic != CONDATTR_MAGIC))
		return EINVAL;
	int rc = tk_cond_init(kcond(c));	/* it refuses a condition waited on (EBUSY) */

	if (rc)
		return posix_err(rc);
	c->__clock = a ? a->__clock : (int)CLOCK_REALTIME;
	c->__reserved = 0;
	return 0;
}

/* The kernel has no destroy and no way to ask for waiters: nothing to do. */
int pthread_cond_destroy(pthread_cond_t *c)
{
	return c ? 0 : EINVAL;
}

#define CHECK_CATTR(a)                                                         \
	do {                                                                   \
		if (!(a) || (a)->__magic != CONDATTR_MAGIC)                    \
			return EINVAL;                                         \
	} while (0)

int pthread_condattr_init(pthread_condattr_t *a)
{
	if (!a)
		return EINVAL;
	memset(a, 0, sizeof(*a));
	a->__magic = CONDATTR_MAGIC;
	a->__clock = (int)CLOCK_REALTIME;
	a->__pshared = PTHREAD_PROCESS_PRIVATE;
	return 0;
}

int pthread_condattr_destroy(pthread_condattr_t *a)
{
	CHECK_CATTR(a);
	a->__magic = 0;
	return 0;
}

int pthread_condattr_setclock(pthread_condattr_t *a, clockid_t clock)
{
	CHECK_CATTR(a);
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC)
		return EINVAL;
	a->__clock = (int)clock;
	return 0;
}

int pthread_condattr_getclock(const pthread_condattr_t *a, clockid_t *clock)
{
	CHECK_CATTR(a);
	if (!clock)
		return EINVAL;
	*clock = (clockid_t)a->__clock;
	return 0;
}

int pthread_condattr_setpshared(pthread_condattr_t *a, int pshared)
{
	CHECK_CATTR(a);
	if (pshared != PTHREAD_PROCESS_PRIVATE && pshared != PTHREAD_PROCESS_SHARED)
		return EINVAL;
	a->__pshared = pshared;
	return 0;
}

int pthread_condattr_getpshared(const pthread_condattr_t *a, int *pshared)
{
	CHECK_CATTR(a);
	if (!pshared)
		return EINVAL;
	*pshared = a->__pshared;
	return 0;
}
