/* Kernel-side layouts of the opaque sync objects in <takt/sync.h>. */
#ifndef TAKT_SYNC_IMPL_H
#define TAKT_SYNC_IMPL_H

#include <takt/spinlock.h>
#include <takt/sync.h>

#include "../thread_impl.h"

#define MUTEX_MAGIC 0x4d555458u
#define SEM_MAGIC 0x53454d41u
#define COND_MAGIC 0x434f4e44u
#define MSGQ_MAGIC 0x4d534751u

struct kmutex {
	uint32_t magic;		/* 0: zero-initialised, set up on first use */
	uint32_t flags;
	uintptr_t word;		/* owner thread | WAITERS (mutex.c); 0: free */
	uint32_t depth;
	struct waitq waiters;
	struct pi_mutex pi;
};

/* A semaphore and a message queue have a lock of their own: their waits
 * and wake-ups on different objects never meet (klock guards the mutexes
 * and condition variables, whose inheritance chains cross objects). */
struct ksem {
	uint32_t magic;
	uint32_t count, max;
	tk_spinlock_t lock;
	struct waitq waiters;
};

struct kcond {
	uint32_t magic;
	struct waitq waiters;
};

struct kmsgq {
	uint32_t magic;
	uint8_t *buf;
	size_t msg_size, capacity, head, count;
	tk_spinlock_t lock;
	struct waitq getters, putters;
};

_Static_assert(sizeof(struct kmutex) <= sizeof(struct tk_mutex), "tk_mutex storage");
_Static_assert(sizeof(struct ksem) <= sizeof(struct tk_sem), "tk_sem storage");
_Static_assert(sizeof(struct kcond) <= sizeof(struct tk_cond), "tk_cond storage");
_Static_assert(sizeof(struct kmsgq) <= sizeof(struct tk_msgq), "tk_msgq storage");

/* With interrupts masked: release one level of k held by the caller.
 * @retval 0, -EPERM */
int mutex_unlock_locked(struct kmutex *k);
bool mutex_owned_by_caller(struct tk_mutex *m);
/* Set up a zero-initialised mutex with flags; leave a live one alone. */
void mutex_init_if_zero(struct tk_mutex *m, unsigned flags);

#endif
