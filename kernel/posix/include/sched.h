/*
 * newlib's <sched.h> plus what Takt adds, as glibc 2.41 declares it with
 * _GNU_SOURCE: SCHED_DEADLINE, struct sched_attr and sched_setattr() /
 * sched_getattr() with Linux semantics (DESIGN.md section 4).
 *
 * A pid names a thread: 0 is the caller, else a value from gettid() or
 * pthread_gettid_np() (2 and up). getpid() (1) is taken as the caller too:
 * on Linux it names the main thread, which is the caller in the usual case
 * of main() setting its own policy. This applies to the sched_* calls of
 * newlib's <sched.h> as well (sched_setscheduler, sched_getparam, ...).
 */
#ifndef TAKT_POSIX_SCHED_H
#define TAKT_POSIX_SCHED_H

#include_next <sched.h>

#if __GNU_VISIBLE
#include <machine/_default_types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SCHED_NORMAL		SCHED_OTHER
#define SCHED_BATCH		3
#define SCHED_IDLE		5
#define SCHED_DEADLINE		6
#define SCHED_RESET_ON_FORK	0x40000000

#ifndef SCHED_ATTR_SIZE_VER0
#define SCHED_ATTR_SIZE_VER0	48
#define SCHED_ATTR_SIZE_VER1	56
struct sched_attr {
	__uint32_t size;
	__uint32_t sched_policy;
	__uint64_t sched_flags;
	__int32_t sched_nice;
	__uint32_t sched_priority;
	/* SCHED_DEADLINE, in ns: runtime <= deadline <= period */
	__uint64_t sched_runtime;
	__uint64_t sched_deadline;
	__uint64_t sched_period;
	/* Utilisation clamps: checked (min <= max <= 1024), otherwise unused. */
	__uint32_t sched_util_min;
	__uint32_t sched_util_max;
};
#endif

#define SCHED_FLAG_RESET_ON_FORK	0x01
#define SCHED_FLAG_RECLAIM		0x02
#define SCHED_FLAG_DL_OVERRUN		0x04
#define SCHED_FLAG_KEEP_POLICY		0x08
#define SCHED_FLAG_KEEP_PARAMS		0x10
#define SCHED_FLAG_UTIL_CLAMP_MIN	0x20
#define SCHED_FLAG_UTIL_CLAMP_MAX	0x40
#define SCHED_FLAG_KEEP_ALL	(SCHED_FLAG_KEEP_POLICY | SCHED_FLAG_KEEP_PARAMS)
#define SCHED_FLAG_UTIL_CLAMP	(SCHED_FLAG_UTIL_CLAMP_MIN | SCHED_FLAG_UTIL_CLAMP_MAX)
#define SCHED_FLAG_ALL	(SCHED_FLAG_RESET_ON_FORK | SCHED_FLAG_RECLAIM | \
			 SCHED_FLAG_DL_OVERRUN | SCHED_FLAG_KEEP_ALL | SCHED_FLAG_UTIL_CLAMP)

/* Set the policy and parameters of thread tid (0: the caller). Returns 0,
 * or -1 with errno: EINVAL (bad argument, flags != 0, SCHED_OTHER/BATCH/
 * IDLE, SCHED_FLAG_RECLAIM or SCHED_FLAG_DL_OVERRUN: not supported), E2BIG
 * (attr->size unknown: attr->size is set to the size expected), EBUSY (the
 * deadline reservation is not admitted; nothing changed), ESRCH. */
int sched_setattr(pid_t __tid, struct sched_attr *__attr, unsigned int __flags);
/* Fill *attr (size bytes at most, at least SCHED_ATTR_SIZE_VER0) with the
 * thread's policy and parameters; attr->size = the size filled. */
int sched_getattr(pid_t __tid, struct sched_attr *__attr, unsigned int __size,
		  unsigned int __flags);

/* CPU sets as glibc has them (1024 CPUs, bit n = CPU n); Takt uses CPUs
 * 0..7. The _S forms take the set's size in bytes. */
#define CPU_SETSIZE 1024
#define __NCPUBITS (8 * sizeof(unsigned long))
typedef struct {
	unsigned long __bits[CPU_SETSIZE / __NCPUBITS];
} cpu_set_t;

#define CPU_ALLOC_SIZE(n) ((((n) + __NCPUBITS - 1) / __NCPUBITS) * sizeof(unsigned long))
#define CPU_ZERO_S(sz, s) __builtin_memset((s), 0, (sz))
#define CPU_SET_S(c, sz, s) ((__SIZE_TYPE__)(c) / 8 < (sz) ? \
	((s)->__bits[(c) / __NCPUBITS] |= (1ul << ((c) % __NCPUBITS))) : 0)
#define CPU_CLR_S(c, sz, s) ((__SIZE_TYPE__)(c) / 8 < (sz) ? \
	((s)->__bits[(c) / __NCPUBITS] &= ~(1ul << ((c) % __NCPUBITS))) : 0)
#define CPU_ISSET_S(c, sz, s) ((__SIZE_TYPE__)(c) / 8 < (sz) ? \
	(((s)->__bits[(c) / __NCPUBITS] >> ((c) % __NCPUBITS)) & 1) != 0 : 0)
int __sched_cpucount(__SIZE_TYPE__ __setsize, const cpu_set_t *__set);
#define CPU_COUNT_S(sz, s) __sched_cpucount((sz), (s))
#define __CPU_OP_S(sz, d, a, b, op) do { \
	for (__SIZE_TYPE__ __i = 0; __i < (sz) / sizeof(unsigned long); __i++) \
		(d)->__bits[__i] = (a)->__bits[__i] op (b)->__bits[__i]; } while (0)
#define CPU_AND_S(sz, d, a, b) __CPU_OP_S(sz, d, a, b, &)
#define CPU_OR_S(sz, d, a, b) __CPU_OP_S(sz, d, a, b, |)
#define CPU_XOR_S(sz, d, a, b) __CPU_OP_S(sz, d, a, b, ^)
#define CPU_EQUAL_S(sz, a, b) (__builtin_memcmp((a), (b), (sz)) == 0)

#define CPU_ZERO(s) CPU_ZERO_S(sizeof(cpu_set_t), s)
#define CPU_SET(c, s) CPU_SET_S(c, sizeof(cpu_set_t), s)
#define CPU_CLR(c, s) CPU_CLR_S(c, sizeof(cpu_set_t), s)
#define CPU_ISSET(c, s) CPU_ISSET_S(c, sizeof(cpu_set_t), s)
#define CPU_COUNT(s) CPU_COUNT_S(sizeof(cpu_set_t), s)
#define CPU_AND(d, a, b) CPU_AND_S(sizeof(cpu_set_t), d, a, b)
#define CPU_OR(d, a, b) CPU_OR_S(sizeof(cpu_set_t), d, a, b)
#define CPU_XOR(d, a, b) CPU_XOR_S(sizeof(cpu_set_t), d, a, b)
#define CPU_EQUAL(a, b) CPU_EQUAL_S(sizeof(cpu_set_t), a, b)

/* Where thread tid (0: the caller) may run. Unlike Linux, a deadline thread
 * takes any non-empty set. -1 with errno: EINVAL (empty after leaving out
 * bits past the set, or naming CPUs that are not online), EBUSY (a deadline
 * thread's bandwidth fits no CPU of the set; nothing changed), ESRCH, EFAULT. */
int sched_setaffinity(pid_t __tid, __SIZE_TYPE__ __setsize, const cpu_set_t *__set);
int sched_getaffinity(pid_t __tid, __SIZE_TYPE__ __setsize, cpu_set_t *__set);
/* The caller's CPU. */
int sched_getcpu(void);

#ifdef __cplusplus
}
#endif
#endif /* __GNU_VISIBLE */

#endif
