/*
 * CPU affinity and CPU-time clocks, as glibc declares them (_GNU_SOURCE):
 * sched_{set,get}affinity, sched_getcpu, pthread_{set,get}affinity_np,
 * pthread_attr_{set,get}affinity_np, pthread_getcpuclockid, and the
 * thread CPU-time clocks clock_gettime reads through posix_cpu_clock_ns.
 * Unlike Linux, a deadline thread takes any non-empty set (Linux demands
 * its whole root domain and answers EPERM/EBUSY).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <time.h>

#include <takt/thread.h>

#include "posix_internal.h"

/* Thread CPU-time clocks of pthread_getcpuclockid: this base + the tid. */
#define CPUCLOCK_BASE 0x40000000ul

int __sched_cpucount(size_t setsize, const cpu_set_t *set)
{
	int n = 0;

	for (size_t i = 0; i < setsize / sizeof(unsigned long); i++)
		n += __builtin_popcountl(set->__bits[i]);
	return n;
}

/* A glibc set to the kernel's 32-bit mask: 0 with EINVAL if it names a CPU
 * past 31 (none exists) or nothing. */
static int set_to_mask(size_t size, const cpu_set_t *set, uint32_t *mask)
{
	*mask = 0;
	for (size_t bit = 0; bit < size * 8; bit++) {
		if (!CPU_ISSET_S(bit, size, set))
			continue;
		if (bit >= 32)
			return EINVAL;
		*mask |= 1u << bit;
	}
	return *mask ? 0 : EINVAL;
}

static int mask_to_set(uint32_t mask, size_t size, cpu_set_t *set)
{
	if (size * 8 < 32 && (mask >> (size * 8)))
		return EINVAL;	/* Linux: the set must hold every online CPU */
	memset(set, 0, size);
	for (unsigned bit = 0; bit < 32; bit++)
		if (mask & (1u << bit))
			CPU_SET_S(bit, size, set);
	return 0;
}

static int set_affinity(tk_thread_t *t, size_t size, const cpu_set_t *set)
{
	uint32_t mask;
	int rc;

	if (!set)
		return EFAULT;
	rc = set_to_mask(size, set, &mask);
	return rc ? rc : posix_err(tk_thread_set_affinity(t, mask));
}

static int get_affinity(tk_thread_t *t, size_t size, cpu_set_t *set)
{
	uint32_t mask;
	int rc;

	if (!set)
		return EFAULT;
	rc = posix_err(tk_thread_get_affinity(t, &mask));
	return rc ? rc : mask_to_set(mask, size, set);
}

static int fail(int err)
{
	errno = err;
	return -1;
}

int sched_setaffinity(pid_t tid, size_t size, const cpu_set_t *set)
{
	tk_thread_t *t = tid < 0 ? 0 : posix_thread_of_pid(tid);
	int rc = t ? set_affinity(t, size, set) : (tid < 0 ? EINVAL : ESRCH);

	return rc ? fail(rc) : 0;
}

/* Linux returns the bytes it wrote (the kernel's mask size) on success. */
int sched_getaffinity(pid_t tid, size_t size, cpu_set_t *set)
{
	tk_thread_t *t = tid < 0 ? 0 : posix_thread_of_pid(tid);
	int rc = t ? get_affinity(t, size, set) : (tid < 0 ? EINVAL : ESRCH);

	return rc ? fail(rc) : 0;
}

int sched_getcpu(void)
{
	return (int)tk_cpu_id();
}

int pthread_setaffinity_np(pthread_t th, size_t size, const cpu_set_t *set)
{
	return th ? set_affinity((tk_thread_t *)th, size, set) : ESRCH;
}

int pthread_getaffinity_np(pthread_t th, size_t size, cpu_set_t *set)
{
	return th ? get_affinity((tk_thread_t *)th, size, set) : ESRCH;
}

int pthread_attr_setaffinity_np(pthread_attr_t *a, size_t size, const cpu_set_t *set)
{
	uint32_t mask;
	int rc;

	if (!a || !set)
		return EINVAL;
	rc = set_to_mask(size, set, &mask);
	if (rc)
		return rc;
	if (mask & ~tk_cpu_online_mask())
		return EINVAL;
	a->__cpumask = mask;
	return 0;
}

int pthread_attr_getaffinity_np(const pthread_attr_t *a, size_t size, cpu_set_t *set)
{
	if (!a || !set)
		return EINVAL;
	return mask_to_set(a->__cpumask ? a->__cpumask : tk_cpu_online_mask(), size, set);
}

int pthread_getcpuclockid(pthread_t th, clockid_t *clock)
{
	pid_t tid;

	if (!th || !clock)
		return th ? EINVAL : ESRCH;
	tid = pthread_gettid_np(th);
	if (tid < 0)
		return ESRCH;
	*clock = (clockid_t)(CPUCLOCK_BASE + (unsigned long)tid);
	return 0;
}

/* clock_gettime's thread CPU clocks: CLOCK_THREAD_CPUTIME_ID (the caller),
 * CLOCK_PROCESS_CPUTIME_ID (every thread: the one process), and
 * pthread_getcpuclockid's. 1 and *ns, or 0: not such a clock, or -ESRCH. */
int posix_cpu_clock_ns(clockid_t c, uint64_t *ns)
{
	tk_thread_t *t;

	if (c == CLOCK_THREAD_CPUTIME_ID) {
		*ns = tk_thread_cpu_ns(0);
		return 1;
	}
	if (c == CLOCK_PROCESS_CPUTIME_ID) {
		*ns = tk_process_cpu_ns();
		return 1;
	}
	if (c < CPUCLOCK_BASE || c > CPUCLOCK_BASE + 0xffffffu)
		return 0;
	t = posix_thread_of_pid((pid_t)(c - CPUCLOCK_BASE));
	if (!t)
		return -ESRCH;
	*ns = tk_thread_cpu_ns(t);
	return 1;
}
