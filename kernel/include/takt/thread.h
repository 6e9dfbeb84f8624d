/*
 * Threads and their scheduling (DESIGN.md section 4). Three classes,
 * highest first: deadline (EDF + CBS, Linux SCHED_DEADLINE semantics),
 * fixed priority 1..99 (FIFO within a priority, optional round-robin),
 * idle. Times are ns on the tk_now_ns() clock; every blocking call takes an
 * absolute deadline: TK_FOREVER waits forever, a time already past tries
 * once (-ETIMEDOUT when it would have to wait).
 */
#ifndef TAKT_THREAD_H
#define TAKT_THREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TK_FOREVER UINT64_MAX
#define TK_STACK_DEFAULT (16u * 1024)
#define TK_STACK_MIN 2048u
#define TK_PRIO_MIN 1
#define TK_PRIO_MAX 99
#define TK_NAME_MAX 16		/* including the NUL */

typedef struct tk_thread tk_thread_t;
typedef void *(*tk_thread_fn)(void *arg);

enum tk_policy { TK_SCHED_FIFO = 1, TK_SCHED_RR = 2, TK_SCHED_DEADLINE = 6 };

/* Scheduling parameters. FIFO/RR use prio (and rr_slice_ns for RR, 0 =
 * the default slice of 10 ms, else TK_RR_SLICE_MIN..TK_RR_SLICE_MAX:
 * shorter would make the timer fire at every decision); DEADLINE uses
 * runtime <= deadline <= period in ns (period 0 = deadline), as Linux's
 * struct sched_attr. */
#define TK_RR_SLICE_MIN 10000ull		/* 10 us */
#define TK_RR_SLICE_MAX 10000000000ull	/* 10 s */
struct tk_sched {
	enum tk_policy policy;
	int prio;
	uint64_t rr_slice_ns;
	uint64_t runtime, deadline, period;
};

struct tk_thread_attr {
	const char *name;	/* copied, truncated to TK_NAME_MAX - 1 */
	void *stack;		/* NULL: allocated, and freed when joined */
	size_t stack_size;	/* 0: TK_STACK_DEFAULT; at least TK_STACK_MIN */
	struct tk_sched sched;	/* policy 0: FIFO at the creator's priority */
	bool detached;		/* no join: resources go when it exits */
	uint32_t cpu_mask;	/* CPUs it may run on, bit n = CPU n; 0: all */
};

/* Create and start a thread running fn(arg). Any context but interrupts
 * and spin-lock sections: it may wait (for memory; on x86 for the other
 * CPUs to drop the new stack's guard page), and inside a tk_irq_lock
 * section that wait lets the other CPUs into theirs, as any blocking call.
 * @retval 0, -EINVAL (bad attr), -ENOMEM, -EBUSY (deadline not admitted) */
int tk_thread_create(tk_thread_t **out, const struct tk_thread_attr *attr,
		     tk_thread_fn fn, void *arg);
/* Wait for t to exit; *ret gets its return value. @retval 0, -EINVAL (t
 * detached or not joinable), -EDEADLK (t is the caller), -ESRCH */
int tk_thread_join(tk_thread_t *t, void **ret);
/* Nobody will join t: its stack goes when it exits (now if it has).
 * @retval 0, -EINVAL (not a thread, detached or joined already), -EPERM (in
 * an interrupt handler) */
int tk_thread_detach(tk_thread_t *t);
/* End the calling thread with ret for its joiner (main's ends the program
 * with exit(ret)). Thread context only: in an interrupt handler, a panic. */
__attribute__((noreturn)) void tk_thread_exit(void *ret);
tk_thread_t *tk_thread_self(void);
const char *tk_thread_name(const tk_thread_t *t);
/* Rename (the trace records it). 0, -EINVAL (no thread, no name), -ERANGE
 * (TK_NAME_MAX - 1 bytes at most). */
int tk_thread_set_name(tk_thread_t *t, const char *name);

/* Change t's class and parameters (t NULL = the caller), at once. With
 * interrupts masked (inside a tk_irq_lock or tk_spin_lock_irqsave section)
 * only for a thread on the caller's CPU: another CPU's would have to be
 * changed there, and that CPU may be spinning, interrupts masked, for the
 * lock the caller holds.
 * @retval 0, -EINVAL (nothing changed), -EBUSY (deadline bandwidth would
 * pass the admission bound: nothing changed), -ESRCH, -EPERM (a thread on
 * another CPU, inside a section: nothing changed), -ENOMEM (a first
 * deadline thread: no memory for the shares' table; nothing changed) */
int tk_thread_setsched(tk_thread_t *t, const struct tk_sched *s);
int tk_thread_getsched(tk_thread_t *t, struct tk_sched *s);
/* Admission bound for the sum of runtime/period of deadline threads, in
 * percent (1..100, default 95). @retval 0, -EINVAL, -EBUSY (below what is
 * admitted already), -ENOMEM (no memory for the deadline shares' table,
 * taken from the heap at the first deadline thread or this call) */
int tk_sched_set_bound(unsigned percent);

/* FIFO/RR: go to the tail of the caller's priority. DEADLINE: end the
 * current job and sleep until the next period (the periodic-job call).
 * With interrupts masked (an interrupt handler, a tk_irq_lock section) it
 * does nothing, said once on the console. */
void tk_yield(void);

/* Told (from the scheduler, interrupts off: keep it short) when a deadline
 * thread overruns its budget (TK_EV_OVERRUN) or misses a deadline
 * (TK_EV_MISS). The handler runs as an interrupt handler does: the calls
 * only a thread may make refuse there as in one, and malloc, stdio or
 * another call that takes a newlib lock is a panic naming it (tk_printk
 * and a semaphore give are fine). */
#define TK_EV_OVERRUN 1u
#define TK_EV_MISS 2u
typedef void (*tk_dl_handler_t)(tk_thread_t *t, unsigned events, void *arg);
int tk_thread_set_dl_handler(tk_thread_t *t, tk_dl_handler_t fn, void *arg);

struct tk_thread_stats {
	uint64_t cpu_ns;	/* time spent running */
	uint64_t switches;	/* times switched in */
	uint32_t overruns;	/* deadline class: budget exhausted */
	uint32_t misses;	/* deadline class: job late */
	size_t stack_size;
	uint32_t id;		/* 1 = main, then in creation order; never reused */
	unsigned cpu;		/* the CPU it lives on */
	uint64_t migrations;	/* moves between CPUs */
	/* deadline class split C=D over two CPUs (fits on no single one): the
	 * CPUs of its first and second piece; -1, -1 when not split */
	int split_cpu[2];
};
int tk_thread_stats(tk_thread_t *t, struct tk_thread_stats *st);
/* Calls fn for every live thread under the kernel's sync lock (interrupts
 * masked on this CPU, other CPUs' sync calls waiting), so that none can exit
 * meanwhile: fn must only copy what it needs (tk_thread_name,
 * tk_thread_stats, tk_thread_getsched) - no blocking, no allocation - since
 * the walk delays every interrupt by about 0.1 us per thread. */
void tk_thread_foreach(void (*fn)(tk_thread_t *t, void *arg), void *arg);

/* A thread defined at build time, started before main() on a guarded
 * stack of stack_bytes like any other thread's:
 * TK_THREAD_DEFINE(blink, 4096, blink_fn, NULL, prio 10). Its handle is
 * available as tk_thread_static(blink) once main runs. */
struct tk_thread_static {
	const char *name;
	void *stack;		/* NULL: the kernel's (with a guard page) */
	size_t stack_size;
	tk_thread_fn fn;
	void *arg;
	int prio;
	tk_thread_t **handle;
};
#define TK_THREAD_DEFINE(id, stack_bytes, fn_, arg_, prio_)                        \
	tk_thread_t *id##_thread;                                                  \
	__attribute__((used, section(".takt_threads"), aligned(8)))               \
	static const struct tk_thread_static id##_def = {                          \
		#id, 0, (stack_bytes), fn_, arg_, prio_, &id##_thread }
#define tk_thread_static(id) (id##_thread)

/* Multicore. CPUs are numbered 0 (the boot CPU) .. tk_cpu_count() - 1 in
 * the order of the DT's /cpus. A thread lives on one CPU of its mask (the
 * least loaded at creation) and moves only when its mask changes. */
unsigned tk_cpu_id(void);		/* the caller's CPU */
unsigned tk_cpu_count(void);		/* online */
unsigned tk_cpu_count_conf(void);	/* in the DT */
uint32_t tk_cpu_online_mask(void);
/* @retval 0, -EINVAL (empty mask, or CPUs not online: nothing changed),
 * -EBUSY (its deadline bandwidth fits no CPU of the mask), -ESRCH (not a
 * thread, or from an interrupt handler), -EPERM (inside a tk_irq_lock or
 * other interrupts-masked section) */
int tk_thread_set_affinity(tk_thread_t *t, uint32_t mask);
int tk_thread_get_affinity(tk_thread_t *t, uint32_t *mask);

struct tk_cpu_stats {
	uint64_t idle_ns;		/* time in the idle thread */
	uint64_t ipi_sent;		/* IPIs this CPU sent */
	uint64_t ipi_received;
	uint64_t remote_wakes;		/* wake-ups it posted to other CPUs */
	uint64_t remote_wakes_no_ipi;	/* of which did not preempt there: no IPI */
	uint64_t timer_irqs;
	uint64_t irqs;			/* interrupts taken there (IPIs and timer included) */
	unsigned threads;		/* threads living there */
	uint64_t sched_lock_max_ns;	/* longest hold of its scheduler lock */
	uint64_t irqoff_max_ns;		/* longest interrupts-masked stretch (bootarg
					 * irqoff.stats=on; else 0) */
	uint32_t running_id;		/* tk_thread_stats id of what runs there; 0: idle */
};
/* CPU time of t (NULL: the caller), exact to the read for the caller: the
 * clock its deadline budget is charged in. And of every thread together. */
uint64_t tk_thread_cpu_ns(tk_thread_t *t);
uint64_t tk_process_cpu_ns(void);
/* In a loop that waits for another CPU: lets it run (arm64 yield; x86 pause). */
void tk_cpu_relax(void);
/* @retval 0, -EINVAL (no such CPU online, or st NULL) */
int tk_cpu_stats(unsigned cpu, struct tk_cpu_stats *st);

/* Absolute deadline ns from now, saturating at TK_FOREVER. */
uint64_t tk_after_ns(uint64_t ns);

/* Thread-local slots for pthread keys: TK_TLS_SLOTS per thread; NULL for
 * a handle that is no thread (any more: joined, or exited detached). */
#define TK_TLS_SLOTS 8
void **tk_thread_tls(tk_thread_t *t);

#endif
