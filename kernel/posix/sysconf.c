/*
 * sysconf(): the limits and options of this system (newlib-nano for a
 * generic target has none). One CPU (single core so far), 4 KiB pages,
 * the POSIX layer's limits and the options <sys/features.h> announces.
 * An unknown name is -1 with EINVAL; a known one without a limit is -1
 * with errno unchanged (POSIX).
 */
#include <errno.h>
#include <limits.h>
#include <time.h>
#include <unistd.h>

#include <takt/thread.h>

long sysconf(int name)
{
	switch (name) {
	case _SC_NPROCESSORS_CONF:
		return (long)tk_cpu_count_conf();
	case _SC_NPROCESSORS_ONLN:
		return (long)tk_cpu_count();
	case _SC_PAGESIZE:
		return 4096;
	case _SC_CLK_TCK:
		return CLOCKS_PER_SEC;
	case _SC_OPEN_MAX:
		return 3;	/* stdin, stdout, stderr: there is no file system */
	case _SC_THREAD_KEYS_MAX:
		return PTHREAD_KEYS_MAX;
	case _SC_THREAD_STACK_MIN:
		return PTHREAD_STACK_MIN;
	case _SC_THREAD_DESTRUCTOR_ITERATIONS:
		return PTHREAD_DESTRUCTOR_ITERATIONS;
	case _SC_SEM_VALUE_MAX:
		return SEM_VALUE_MAX;
	case _SC_THREADS:
		return _POSIX_THREADS;
	case _SC_THREAD_PRIORITY_SCHEDULING:
		return _POSIX_THREAD_PRIORITY_SCHEDULING;
	case _SC_THREAD_PRIO_INHERIT:
		return _POSIX_THREAD_PRIO_INHERIT;
	case _SC_TIMERS:
		return _POSIX_TIMERS;
	case _SC_TIMEOUTS:
		return _POSIX_TIMEOUTS;
	case _SC_MONOTONIC_CLOCK:
		return _POSIX_MONOTONIC_CLOCK;
	case _SC_CLOCK_SELECTION:
		return _POSIX_CLOCK_SELECTION;
	case _SC_PRIORITY_SCHEDULING:
		return _POSIX_PRIORITY_SCHEDULING;
	case _SC_SEMAPHORES:
		return _POSIX_SEMAPHORES;
	default:
		errno = EINVAL;
		return -1;
	}
}
