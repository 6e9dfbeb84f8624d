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

/* Arguments are taken as longs, as the Linux ABI passes them in
 * registers, and only as many as the call has. */
static long arg(va_list *ap)
{
	return va_arg(*ap, long);
}

static long sched_attr_call(long number, va_list *ap)
{
	pid_t pid = (pid_t)arg(ap);
	struct sched_attr *attr = (struct sched_attr *)arg(ap);
	unsigned int a2 = (unsigned int)arg(ap);

	if (number == SYS_sched_setattr)
		return sched_setattr(pid, attr, a2);
	return sched_getattr(pid, attr, a2, (unsigned int)arg(ap));
}

long syscall(long number, ...)
{
	va_list ap;
	long r;

	va_start(ap, number);
	switch (number) {
	case SYS_sched_setattr:
	case SYS_sched_getattr:
		r = sched_attr_call(number, &ap);
		break;
	case SYS_gettid:
		r = gettid();
		break;
	case SYS_getpid:
		r = getpid();
		break;
	case SYS_sched_yield:
		r = sched_yield();
		break;
	default:
		errno = ENOSYS;
		r = -1;
	}
	va_end(ap);
	return r;
}
