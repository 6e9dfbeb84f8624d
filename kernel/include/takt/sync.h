/*
 * Synchronisation. Every object may be defined statically with its
 * TK_*_DEFINE / zero-initialised (it initialises itself on first use) or
 * set up with its _init call. Blocking calls take an absolute deadline
 * (TK_FOREVER, or a past time to try once) and return -ETIMEDOUT when it
 * passes. Waiters are served highest scheduling key first (earliest
 * deadline, then highest priority), FIFO among equals. An _init of an
 * object threads wait on is refused with -EBUSY: they would sleep for good.
 */
#ifndef TAKT_SYNC_H
#define TAKT_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <takt/thread.h>

/* Opaque storage: the kernel's structs fit in these (checked at build). */
struct tk_mutex { uint64_t opaque[12]; };
struct tk_sem { uint64_t opaque[6]; };
struct tk_cond { uint64_t opaque[6]; };
struct tk_msgq { uint64_t opaque[14]; };

#define TK_MUTEX_DEFINE(name) struct tk_mutex name = { { 0 } }
#define TK_SEM_DEFINE(name) struct tk_sem name = { { 0 } }
#define TK_COND_DEFINE(name) struct tk_cond name = { { 0 } }

/* Mutex with priority inheritance: the owner runs with the best key of its
 * waiters, transitively through chains. Recursive when asked. */
#define TK_MUTEX_RECURSIVE 1u
int tk_mutex_init(struct tk_mutex *m, unsigned flags);
/* @retval 0, -ETIMEDOUT, -EDEADLK (the caller owns a non-recursive m, or
 * waiting would close a cycle of owners), -EINVAL (m is not a mutex, or
 * called from an interrupt) */
int tk_mutex_lock(struct tk_mutex *m, uint64_t deadline);
/* @retval 0, -EPERM (the caller does not own m), -EINVAL */
int tk_mutex_unlock(struct tk_mutex *m);

/* Counting semaphore. give may be called from interrupts. */
int tk_sem_init(struct tk_sem *s, unsigned count, unsigned max);
int tk_sem_take(struct tk_sem *s, uint64_t deadline);	/* 0, -ETIMEDOUT, -EINVAL */
int tk_sem_give(struct tk_sem *s);			/* 0, -EOVERFLOW (at max), -EINVAL */
unsigned tk_sem_count(struct tk_sem *s);

/* Condition variable used with a tk_mutex. */
int tk_cond_init(struct tk_cond *c);
/* Unlock m, wait for a signal, lock m again (also on timeout); a
 * recursive m held n times is let go whole and held n times again.
 * @retval 0, -ETIMEDOUT, -EPERM (m not held), -EINVAL, -EDEADLK (m could
 * not be taken again: a cycle of owners formed meanwhile; m is not held) */
int tk_cond_wait(struct tk_cond *c, struct tk_mutex *m, uint64_t deadline);
int tk_cond_signal(struct tk_cond *c);
int tk_cond_broadcast(struct tk_cond *c);

/* Message queue of fixed-size messages in a caller-given buffer of
 * msg_size * capacity bytes. put may be called from interrupts with a
 * past deadline (no waiting there). */
int tk_msgq_init(struct tk_msgq *q, void *buf, size_t msg_size, size_t capacity);
int tk_msgq_put(struct tk_msgq *q, const void *msg, uint64_t deadline);	/* 0, -ETIMEDOUT, -EINVAL */
int tk_msgq_get(struct tk_msgq *q, void *msg, uint64_t deadline);	/* 0, -ETIMEDOUT, -EINVAL */
size_t tk_msgq_count(struct tk_msgq *q);

#endif
