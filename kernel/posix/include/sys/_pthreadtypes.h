/*
 * pthread types for Takt, replacing newlib's <sys/_pthreadtypes.h> (which
 * <sys/types.h> includes). newlib's generic version makes pthread_mutex_t
 * and pthread_cond_t 32-bit handles into an object table; here they hold
 * the kernel objects themselves (struct tk_mutex / tk_cond / tk_sem from
 * <takt/sync.h>; kernel/posix/ checks the sizes at build time), so that
 * they need no allocation and an all-zero object is a valid, unlocked
 * default one (PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER).
 *
 * Constant values follow glibc where newlib's differ, so that a zeroed
 * attribute means what it means on Linux (joinable, NORMAL mutex).
 * Same include guard as newlib's: only one of the two is ever used.
 */
#ifndef _SYS__PTHREADTYPES_H_
#define _SYS__PTHREADTYPES_H_

#include <machine/_default_types.h>
#include <sys/sched.h>

/* The thread's kernel object (tk_thread_t *), as an integer as on Linux. */
typedef unsigned long pthread_t;

#define PTHREAD_SCOPE_SYSTEM	0
#define PTHREAD_SCOPE_PROCESS	1	/* not supported: ENOTSUP */

#define PTHREAD_INHERIT_SCHED	0	/* the creator's policy and parameters */
#define PTHREAD_EXPLICIT_SCHED	1	/* the attribute's */

#define PTHREAD_CREATE_JOINABLE	0
#define PTHREAD_CREATE_DETACHED	1

#define PTHREAD_PROCESS_PRIVATE	0
#define PTHREAD_PROCESS_SHARED	1	/* one address space: same as private */

/* Mutex protocols. The kernel mutex always inherits priority (and the
 * earliest deadline): NONE is accepted and behaves as INHERIT. PROTECT
 * (priority ceilings) is not supported: ENOTSUP. */
#define PTHREAD_PRIO_NONE	0
#define PTHREAD_PRIO_INHERIT	1
#define PTHREAD_PRIO_PROTECT	2

#define PTHREAD_MUTEX_NORMAL	 0
#define PTHREAD_MUTEX_RECURSIVE	 1
#define PTHREAD_MUTEX_ERRORCHECK 2
#define PTHREAD_MUTEX_DEFAULT	 PTHREAD_MUTEX_NORMAL

typedef struct {
	int __magic;		/* set by pthread_attr_init */
	int __detachstate;
	int __inheritsched;
	int __schedpolicy;
	struct sched_param __schedparam;
	int __scope;
	void *__stackaddr;
	__SIZE_TYPE__ __stacksize;
	__SIZE_TYPE__ __guardsize;
	__uint32_t __cpumask;	/* pthread_attr_setaffinity_np; 0: every CPU */
} pthread_attr_t;

typedef struct {
	__uint64_t __kobj[12];	/* struct tk_mutex */
	unsigned long __owner;	/* pthread_t of the owner, 0 when free */
	int __type;		/* PTHREAD_MUTEX_*; -1 after destroy */
	int __ready;		/* kernel object set up with the type's flags */
	unsigned __count;	/* the owner's lock depth */
	int __reserved;
} pthread_mutex_t;

typedef struct {
	int __magic;
	int __type;
	int __protocol;
	int __pshared;
} pthread_mutexattr_t;

#define _PTHREAD_MUTEX_INITIALIZER { { 0 }, 0, 0, 0, 0, 0 }
#define _PTHREAD_RECURSIVE_MUTEX_INITIALIZER { { 0 }, 0, PTHREAD_MUTEX_RECURSIVE, 0, 0, 0 }
#define _PTHREAD_ERRORCHECK_MUTEX_INITIALIZER { { 0 }, 0, PTHREAD_MUTEX_ERRORCHECK, 0, 0, 0 }

typedef struct {
	__uint64_t __kobj[6];	/* struct tk_cond */
	int __clock;		/* clockid_t for timedwait; 0 = CLOCK_REALTIME */
	int __reserved;
} pthread_cond_t;

typedef struct {
	int __magic;
	int __clock;
	int __pshared;
} pthread_condattr_t;

#define _PTHREAD_COND_INITIALIZER { { 0 }, 0, 0 }

typedef unsigned int pthread_key_t;
typedef int pthread_once_t;
#define _PTHREAD_ONCE_INIT 0

#endif
