/*
 * POSIX unnamed semaphores on the kernel's counting semaphore (struct
 * tk_sem). Named semaphores (sem_open) do not exist: there is no file
 * system. pshared is accepted: there is one address space.
 */
#ifndef _SEMAPHORE_H
#define _SEMAPHORE_H

#include <sys/types.h>
#include <time.h>
#include <takt_posix_limits.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	__uint64_t __kobj[6];	/* struct tk_sem */
	int __magic;		/* set by sem_init */
	int __reserved;
} sem_t;

/* All return 0, or -1 with errno. */
int sem_init(sem_t *__sem, int __pshared, unsigned int __value);	/* EINVAL: value > SEM_VALUE_MAX */
int sem_destroy(sem_t *__sem);
int sem_wait(sem_t *__sem);
int sem_trywait(sem_t *__sem);						/* EAGAIN */
int sem_timedwait(sem_t *__restrict __sem, const struct timespec *__restrict __abstime);	/* ETIMEDOUT */
int sem_post(sem_t *__sem);						/* EOVERFLOW at SEM_VALUE_MAX */
int sem_getvalue(sem_t *__restrict __sem, int *__restrict __value);
#if __GNU_VISIBLE
int sem_clockwait(sem_t *__restrict __sem, clockid_t __clock,
		  const struct timespec *__restrict __abstime);
#endif

#ifdef __cplusplus
}
#endif

#endif
