/*
 * POSIX threads on the Takt kernel (kernel/posix/pthread*.c), replacing
 * newlib's <pthread.h>: it declares only what is implemented, with glibc's
 * prototypes, so code written for Linux compiles unchanged where the API
 * overlaps and anything missing fails at compile time, not at link time.
 *
 * Differences from Linux, all documented at the function:
 * - Policies SCHED_FIFO and SCHED_RR with priorities 1..99 (SCHED_OTHER
 *   does not exist: EINVAL); SCHED_DEADLINE through sched_setattr().
 * - Every mutex inherits priority (PTHREAD_PRIO_NONE behaves as INHERIT);
 *   relocking a NORMAL mutex returns EDEADLK instead of hanging.
 * - CLOCK_REALTIME and CLOCK_MONOTONIC are one clock (time since boot).
 * - pthread_exit() from main() ends the program, as main's return does
 *   (the kernel's rule), with the value as exit status.
 * - No cancellation, signals, fork handlers, barriers or rwlocks.
 */
#ifndef __PTHREAD_h
#define __PTHREAD_h
#define _PTHREAD_H 1

#include <sys/types.h>
#include <sched.h>
#include <time.h>
#include <takt_posix_limits.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PTHREAD_MUTEX_INITIALIZER _PTHREAD_MUTEX_INITIALIZER
#define PTHREAD_COND_INITIALIZER _PTHREAD_COND_INITIALIZER
#define PTHREAD_ONCE_INIT _PTHREAD_ONCE_INIT
#if __GNU_VISIBLE
#define PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP _PTHREAD_RECURSIVE_MUTEX_INITIALIZER
#define PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP _PTHREAD_ERRORCHECK_MUTEX_INITIALIZER
#endif

/* Threads. The default attributes: joinable, PTHREAD_INHERIT_SCHED (the
 * creator's policy and parameters; a SCHED_DEADLINE creator's reservation
 * is requested again for the new thread and EAGAIN returned when it is not
 * admitted), PTHREAD_STACK_DEFAULT bytes of stack allocated and freed at
 * join (or exit, when detached). */
int pthread_create(pthread_t *__restrict __th, const pthread_attr_t *__restrict __attr,
		   void *(*__start)(void *), void *__restrict __arg);
int pthread_join(pthread_t __th, void **__retval);
int pthread_detach(pthread_t __th);
void pthread_exit(void *__retval) __attribute__((__noreturn__));
pthread_t pthread_self(void);
int pthread_equal(pthread_t __t1, pthread_t __t2);

int pthread_attr_init(pthread_attr_t *__attr);
int pthread_attr_destroy(pthread_attr_t *__attr);
int pthread_attr_setdetachstate(pthread_attr_t *__attr, int __state);
int pthread_attr_getdetachstate(const pthread_attr_t *__attr, int *__state);
/* At least PTHREAD_STACK_MIN. A caller-given stack (setstack) is not
 * freed, and also holds the kernel's thread control block at its top:
 * give it PTHREAD_STACK_MIN + 1 KiB at least (EINVAL at create if not). */
int pthread_attr_setstacksize(pthread_attr_t *__attr, size_t __size);
int pthread_attr_getstacksize(const pthread_attr_t *__restrict __attr,
			      size_t *__restrict __size);
int pthread_attr_setstack(pthread_attr_t *__attr, void *__addr, size_t __size);
int pthread_attr_getstack(const pthread_attr_t *__restrict __attr,
			  void **__restrict __addr, size_t *__restrict __size);
/* Recorded only: there is no guard page. */
int pthread_attr_setguardsize(pthread_attr_t *__attr, size_t __size);
int pthread_attr_getguardsize(const pthread_attr_t *__restrict __attr,
			      size_t *__restrict __size);
int pthread_attr_setscope(pthread_attr_t *__attr, int __scope);
int pthread_attr_getscope(const pthread_attr_t *__restrict __attr, int *__restrict __scope);
int pthread_attr_setinheritsched(pthread_attr_t *__attr, int __inherit);
int pthread_attr_getinheritsched(const pthread_attr_t *__restrict __attr,
				 int *__restrict __inherit);
int pthread_attr_setschedpolicy(pthread_attr_t *__attr, int __policy);
int pthread_attr_getschedpolicy(const pthread_attr_t *__restrict __attr,
				int *__restrict __policy);
int pthread_attr_setschedparam(pthread_attr_t *__restrict __attr,
			       const struct sched_param *__restrict __param);
int pthread_attr_getschedparam(const pthread_attr_t *__restrict __attr,
			       struct sched_param *__restrict __param);

/* SCHED_FIFO / SCHED_RR only (SCHED_DEADLINE: sched_setattr); getschedparam
 * reports SCHED_DEADLINE with priority 0 for a deadline thread, as Linux. */
int pthread_setschedparam(pthread_t __th, int __policy,
			  const struct sched_param *__param);
int pthread_getschedparam(pthread_t __th, int *__restrict __policy,
			  struct sched_param *__restrict __param);
int pthread_setschedprio(pthread_t __th, int __prio);

#if __GNU_VISIBLE
/* Names up to 15 characters (ERANGE beyond, as Linux). */
int pthread_setname_np(pthread_t __th, const char *__name);
int pthread_getname_np(pthread_t __th, char *__buf, size_t __len);
/* The thread's id for sched_setattr() and friends (glibc 2.42). */
pid_t pthread_gettid_np(pthread_t __th);
/* CPU affinity (see <sched.h>); 0 or an errno value. */
int pthread_setaffinity_np(pthread_t __th, size_t __size, const cpu_set_t *__set);
int pthread_getaffinity_np(pthread_t __th, size_t __size, cpu_set_t *__set);
int pthread_attr_setaffinity_np(pthread_attr_t *__attr, size_t __size, const cpu_set_t *__set);
int pthread_attr_getaffinity_np(const pthread_attr_t *__attr, size_t __size, cpu_set_t *__set);
#endif
/* The thread's CPU-time clock, for clock_gettime. */
int pthread_getcpuclockid(pthread_t __th, clockid_t *__clock);

/* Mutexes. */
int pthread_mutexattr_init(pthread_mutexattr_t *__attr);
int pthread_mutexattr_destroy(pthread_mutexattr_t *__attr);
int pthread_mutexattr_settype(pthread_mutexattr_t *__attr, int __type);
int pthread_mutexattr_gettype(const pthread_mutexattr_t *__restrict __attr,
			      int *__restrict __type);
int pthread_mutexattr_setprotocol(pthread_mutexattr_t *__attr, int __protocol);
int pthread_mutexattr_getprotocol(const pthread_mutexattr_t *__restrict __attr,
				  int *__restrict __protocol);
int pthread_mutexattr_setpshared(pthread_mutexattr_t *__attr, int __pshared);
int pthread_mutexattr_getpshared(const pthread_mutexattr_t *__restrict __attr,
				 int *__restrict __pshared);

int pthread_mutex_init(pthread_mutex_t *__restrict __mutex,
		       const pthread_mutexattr_t *__restrict __attr);
int pthread_mutex_destroy(pthread_mutex_t *__mutex);
int pthread_mutex_lock(pthread_mutex_t *__mutex);
int pthread_mutex_trylock(pthread_mutex_t *__mutex);
int pthread_mutex_timedlock(pthread_mutex_t *__restrict __mutex,
			    const struct timespec *__restrict __abstime);
int pthread_mutex_unlock(pthread_mutex_t *__mutex);

/* Condition variables. */
int pthread_condattr_init(pthread_condattr_t *__attr);
int pthread_condattr_destroy(pthread_condattr_t *__attr);
/* CLOCK_REALTIME or CLOCK_MONOTONIC: the same clock here (time since boot). */
int pthread_condattr_setclock(pthread_condattr_t *__attr, clockid_t __clock);
int pthread_condattr_getclock(const pthread_condattr_t *__restrict __attr,
			      clockid_t *__restrict __clock);
int pthread_condattr_setpshared(pthread_condattr_t *__attr, int __pshared);
int pthread_condattr_getpshared(const pthread_condattr_t *__restrict __attr,
				int *__restrict __pshared);

int pthread_cond_init(pthread_cond_t *__restrict __cond,
		      const pthread_condattr_t *__restrict __attr);
int pthread_cond_destroy(pthread_cond_t *__cond);
int pthread_cond_wait(pthread_cond_t *__restrict __cond, pthread_mutex_t *__restrict __mutex);
int pthread_cond_timedwait(pthread_cond_t *__restrict __cond,
			   pthread_mutex_t *__restrict __mutex,
			   const struct timespec *__restrict __abstime);
int pthread_cond_signal(pthread_cond_t *__cond);
int pthread_cond_broadcast(pthread_cond_t *__cond);

/* Thread-specific data: PTHREAD_KEYS_MAX keys; destructors run when a
 * thread returns from its start routine or calls pthread_exit(). */
int pthread_key_create(pthread_key_t *__key, void (*__destructor)(void *));
int pthread_key_delete(pthread_key_t __key);
int pthread_setspecific(pthread_key_t __key, const void *__value);
void *pthread_getspecific(pthread_key_t __key);

int pthread_once(pthread_once_t *__once, void (*__init)(void));

#ifdef __cplusplus
}
#endif

#endif
