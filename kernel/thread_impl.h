/*
 * The thread control block and the scheduler core's interface to the rest
 * of the kernel (sync objects, time, the interrupt exit path). Private.
 */
#ifndef TAKT_THREAD_IMPL_H
#define TAKT_THREAD_IMPL_H

#include <reent.h>
#include <stdbool.h>
#include <stdint.h>

#include <takt/thread.h>

#include "arch.h"
#include "irqoff.h"
#include "smp.h"
#include "sched/list.h"
#include "sched/pi.h"
#include "sched/place.h"
#include "sched/rq.h"
#include "sched/timerq.h"

#define THREAD_MAGIC 0x54616b74u	/* "Takt" */
#define STACK_CANARY 0x5354414b43414e59ull

enum thread_state { THREAD_READY, THREAD_BLOCKED, THREAD_EXITED };

/* Waiters of one object, best scheduling key first, FIFO among equals. */
struct waitq {
	struct list_node head;
};

struct tk_thread {
	uint32_t magic;
	uint32_t id;			/* unique for the run, never reused */
	enum thread_state state;
	struct sched_entity se;
	struct pi_thread pi;
	struct arch_context ctx;
	char name[TK_NAME_MAX];
	struct tk_sched sched;		/* parameters as last set */
	/* stack: [stack_lo, stack_lo + stack_size), canary at stack_lo */
	uint64_t *stack_lo;
	size_t stack_size;
	void *alloc;			/* what to free at join, or NULL */
	size_t alloc_size;		/* its size (whole pages) */
	tk_thread_fn fn;
	void *arg, *retval;
	bool detached;
	bool gone;			/* exited (under klock), maybe still switching away */
	struct tk_thread *joiner;
	/* blocking */
	struct timeout tmo;
	struct waitq *waitq;		/* the queue it waits in, or NULL */
	tk_spinlock_t *wait_lock;	/* the lock guarding waitq; NULL: klock */
	struct list_node wait_node;
	int wait_result;
	/* statistics and hooks */
	uint64_t cpu_ns, switches;
	tk_dl_handler_t dl_handler;
	void *dl_arg;
	struct list_node all_node;
	/* deadline inheritance: while a deadline thread waits on a mutex this
	 * thread holds, it runs as if its deadline were boost_deadline */
	struct list_node boost_node;
	uint64_t boost_deadline;
	/* multicore (sched/core.c): the CPU it lives on, where it may run,
	 * and its passage through other CPUs' wake lists */
	uint8_t cpu;			/* home: its rq, sleepq and boost list are there */
	uint8_t next_cpu;		/* != cpu: move there at the next wake-up */
	int8_t migrate_to;		/* >= 0: leaving for that CPU once switched out */
	int8_t help_to;			/* >= 0: asked to help on that CPU (sched/help.c) */
	int8_t help_home;		/* >= 0: helping away from that CPU */
	bool added;			/* known to a run queue (sched_add_thread) */
	bool on_rq;			/* in its CPU's run queue (READY may still wait in a wake list) */
	bool on_wake_list;
	uint8_t wake_flags;		/* WAKE_* of sched/core.c, under its CPU's lock */
	volatile bool on_cpu;		/* running, or its switch-out not finished */
	uint32_t affinity;		/* bit n = CPU n */
	struct list_node wake_node;
	uint64_t wake_ns;		/* when it was woken, for the CBS rule */
	int want_prio;			/* PI: the fixed priority to run at (0: own) */
	uint64_t want_boost;		/* PI: the deadline lent (0: none) */
	uint64_t migrations;
	/* deadline class across CPUs (sched/params.c, sched/split.c): the share
	 * it holds (npieces 0: none; changed under sched_admit_lock, from any
	 * CPU), the placement its jobs run by (changed only on its own CPU: it
	 * takes `placed` over when moved there, sched/migrate.c), and for a C=D
	 * split thread the piece its job runs (0 on run.piece[0].cpu, then 1) and
	 * that job's release */
	struct place_result placed;
	struct place_result run;
	uint8_t piece;
	uint8_t pins;			/* a repack's moves in flight: not freed meanwhile */
	uint64_t job_release;
	/* supervision (supervisor.c): 0 = none; last check-in or run seen */
	uint64_t sup_timeout_ns, sup_fed_ns, sup_switches;
	void *tls[TK_TLS_SLOTS];
	struct _reent *reent_ptr;	/* newlib's state (errno, stdio): &reent, or the boot one for main */
	struct _reent reent;
};

#define TK_RR_SLICE_DEFAULT 10000000u	/* 10 ms, Linux's sched_rr_timeslice is 100 ms */

static inline bool thread_valid(const struct tk_thread *t)
{
	return t && t->magic == THREAD_MAGIC && t->state != THREAD_EXITED;
}

/* The caller's thread (NULL before the scheduler starts). Read with
 * interrupts masked: a thread moved between reading its CPU and that
 * CPU's current would otherwise see another thread. */
static inline struct tk_thread *sched_self(void)
{
	unsigned long f = arch_irq_save();
	struct tk_thread *t = cpu_self()->current;

	arch_irq_restore(f);
	return t;
}
#define sched_current (sched_self())

/* posix/newlib_locks.c: newlib's global stdio set up, before a second
 * thread can race main for it (tk_thread_create). */
void newlib_stdio_before_threads(void);

/* sched/core.c (sched_start: sched/start.c). All with interrupts masked
 * but sched_preempt_point. */
/* The boot context becomes main_thread; idle_thread is ready-made (its
 * context initialised to run sched_idle_entry) and runs when nothing else can. */
void sched_start(struct tk_thread *main_thread, struct tk_thread *idle_thread);
void *sched_idle_entry(void *arg);
void sched_add_thread(struct tk_thread *t);		/* new, ready */
/* Block the caller on wq (NULL: a plain sleep) until sched_wake or the
 * deadline. @retval the wake result, -ETIMEDOUT */
int sched_block(struct waitq *wq, uint64_t deadline);
/* The same for a wait queue guarded by the object's own lock, held by the
 * caller (interrupts masked): released while blocked, held again after. */
int sched_block_locked(struct waitq *wq, tk_spinlock_t *lock, uint64_t deadline);
/* Make a blocked t ready with result; marks a reschedule if it preempts. */
void sched_wake(struct tk_thread *t, int result);
/* Switch now if a wake-up asked for it (thread context, interrupts on or
 * masked; from interrupts the switch happens on their way out). */
void sched_preempt_point(void);
/* The same at the end of a call that may wake a thread, entry being the
 * interrupt state its caller had (what the call's own save returned).
 * With interrupts masked the caller is inside a tk_irq_lock section (or a
 * handler): switching there would run the woken thread in the middle of
 * the section and let the other CPUs into theirs (the preemption point
 * lets klock go), so the switch waits for the section's end,
 * tk_irq_unlock. */
static inline void sched_preempt_point_after(unsigned long entry)
{
	if (!ARCH_IRQ_MASKED(entry))
		sched_preempt_point();
}
/* The caller leaves for good: switch away, never to return. */
__attribute__((noreturn)) void sched_exit_current(void);
/* Inline: every interrupt and many API checks ask. */
static inline bool sched_in_irq(void)
{
	return cpu_self()->irq_depth > 0;
}

/* An interrupt begins on c (cpu_self()); masked since the exception. */
static inline void sched_irq_enter(struct cpu *c)
{
	if (c->irq_depth++ == 0 && __builtin_expect(irqoff_on, 0))
		irqoff_begin();
}
void sched_irq_exit(void);
/* New class and parameters for t. Thread context; for a thread living on
 * another CPU with interrupts on and klock not held (a cross-call), else
 * -EPERM. */
int sched_set_params(struct tk_thread *t, const struct tk_sched *s);
int sched_set_bound(unsigned percent);
/* Where t may run: a non-empty mask of online CPUs; t moves at once when its
 * CPU leaves the mask. Thread context, interrupts on (may cross-call).
 * @retval 0, -EINVAL (empty, or CPUs that are not online), -EBUSY (t's
 * deadline bandwidth fits on no CPU of the mask: nothing changed) */
int sched_set_affinity(struct tk_thread *t, uint32_t mask);
/* Choose the CPU a new thread (not yet added) lives on, from its mask. */
void sched_place_new(struct tk_thread *t);
void sched_forget_new(struct tk_thread *t);
/* The thread's switch-out is finished (its stack may be freed). */
static inline void sched_wait_off_cpu(struct tk_thread *t)
{
	while (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&t->pins, __ATOMIC_ACQUIRE))
		arch_cpu_relax();
}
/* Called first by every thread's first run (after the switch that started it). */
void sched_finish_switch(void);
void sched_yield_current(void);
/* sched/help.c, under klock: t owns a mutex a thread on CPU `to` now waits
 * for; if t is preempted on its own CPU it runs on `to` meanwhile. */
void sched_help(struct tk_thread *t, unsigned to);
/* The caller, after an unlock: back home if it was helping and nothing is
 * lent to it any more. */
void sched_help_done(void);
/* Run fixed-priority t at prio (a PI boost or its end); requeues it. */
void sched_set_fp_prio(struct tk_thread *t, int prio);
/* Run t (any class) ahead of every deadline thread whose deadline is later
 * than deadline, without throttling (Linux's dl_boosted); 0 ends it. */
void sched_set_dl_boost(struct tk_thread *t, uint64_t deadline);
void sched_timer_event(void);

/* sync/klock.c: the lock of mutexes, condition variables and thread
 * lifetimes (their wait queues, mutex owners, PI chains, which cross
 * objects, joins, the thread list; semaphores and message queues have a
 * lock each, sync_impl.h) - not the scheduler's:
 * run queues are per CPU and lock-free on their own CPU. klock masks
 * interrupts and nests on one CPU; sched_block lets go of it while the
 * caller sleeps and takes it back before returning. */
unsigned long klock(void);
void kunlock(unsigned long flags);
unsigned klock_drop(void);
void klock_retake(unsigned depth);
/* Interrupts masked: klock, if it comes free within ticks (a panic must not
 * wait for ever on a CPU that holds it for good). @retval true: taken */
bool klock_take_within(uint64_t ticks);

/* thread.c: a thread's stack of size bytes (whole pages) over a guard
 * page, else from malloc (said once, naming who); NULL without memory. */
void *thread_stack_alloc(size_t size, const char *who);
void thread_stack_free(void *p, size_t size);
/* thread.c: CPU c's fault stack (guard page hits), allocated by the boot
 * CPU; set in the arch here when c is this CPU. */
struct cpu;
void thread_cpu_fault_stack(struct cpu *c);
/* thread.c: a secondary CPU's idle thread, running on [stack, +size);
 * NULL without memory for its control block. */
struct tk_thread *thread_new_idle(unsigned cpu, void *stack, size_t size);

/* sync/waitq.c */
void waitq_init(struct waitq *q);
void waitq_insert(struct waitq *q, struct tk_thread *t);	/* by key, FIFO among equals */
struct tk_thread *waitq_first(struct waitq *q);		/* NULL when empty */
/* Wake the first waiter with result; @retval it, or NULL */
struct tk_thread *waitq_wake_one(struct waitq *q, int result);
void waitq_wake_all(struct waitq *q, int result);

/* time.c: program the one-shot event at absolute ns (TIMERQ_NEVER: none).
 * Inline the common case, the event it is set to already (most decisions). */
void time_program_event(uint64_t ns);
static inline void time_set_event(uint64_t ns)
{
	if (ns != cpu_self()->armed_ns)
		time_program_event(ns);
}
static inline bool waitq_empty(struct waitq *q)
{
	return list_empty(&q->head);
}

#endif
