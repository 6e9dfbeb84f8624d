/*
 * syscall(): Linux's generic entry, for the few calls real-time programs
 * make through it (sched_setattr/sched_getattr, gettid). Each number maps
 * onto the POSIX layer's own function, so SCHED_DEADLINE set this way
 * lands in Takt's deadline class with the same checks. Any other number
 * is -1 with ENOSYS, as Linux answers a call it does not have.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Arguments are taken as longs, as the Linux ABI passes them in registers. */
long syscall(long number, ...)
{
	long a[4];
	va_list ap;

	va_start(ap, number);
	for (int i = 0; i < 4; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	switch (number) {
	case SYS_sched_setattr:
		return sched_setattr((pid_t)a[0], (struct sched_attr *)a[1], (unsigned int)a[2]);
	case SYS_sched_getattr:
		return sched_getattr((pid_t)a[0], (struct sched_attr *)a[1], (unsigned int)a[2],
				     (unsigned int)a[3]);
	case SYS_gettid:
		return gettid();
	case SYS_getpid:
		return getpid();
	case SYS_sched_yield:
		return sched_yield();
	default:
		errno = ENOSYS;
		return -1;
	}
}
