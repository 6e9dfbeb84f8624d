/* lwIP's OS types on Takt's semaphores, mutexes, message queues, threads. */
#ifndef TAKT_LWIP_SYS_ARCH_H
#define TAKT_LWIP_SYS_ARCH_H

#include <stdbool.h>

#include <takt/sync.h>
#include <takt/thread.h>

typedef struct {
	struct tk_sem sem;
	bool valid;
} sys_sem_t;

typedef struct {
	struct tk_mutex mutex;
	bool valid;
} sys_mutex_t;

typedef struct {
	struct tk_msgq q;
	void **slots;
	bool valid;
} sys_mbox_t;

typedef tk_thread_t *sys_thread_t;
typedef unsigned long sys_prot_t;

#define sys_sem_valid(s)		((s) && (s)->valid)
#define sys_sem_set_invalid(s)		((s)->valid = false)
#define sys_mutex_valid(m)		((m) && (m)->valid)
#define sys_mutex_set_invalid(m)	((m)->valid = false)
#define sys_mbox_valid(b)		((b) && (b)->valid)
#define sys_mbox_set_invalid(b)		((b)->valid = false)

#endif
