/*
 * Per-CPU state. Each CPU runs its own scheduler over its own run queue,
 * one-shot timer and idle thread (DESIGN.md section 4, partitioned EDF):
 * the fields under "this CPU only" are touched by no other CPU, always with
 * interrupts masked, so the hot path takes no lock at all. Other CPUs reach
 * a CPU only through its wake list (under its lock): a thread to wake, a
 * thread arriving, a changed boost; and an IPI when that preempts what runs
 * there (the published key), or a cross-call (smp_call) for the rare
 * operations that must run on the thread's own CPU.
 */
#ifndef TAKT_SMP_H
#define TAKT_SMP_H

#include <stdbool.h>
#include <stdint.h>

#include <takt/spinlock.h>

#include "arch.h"
#include "sched/list.h"
#include "sched/rq.h"
#include "sched/timerq.h"

#define TK_CPUS_MAX 8

struct tk_thread;
struct tk_device;

/* What a CPU runs, as other CPUs see it to decide whether a wake-up there
 * preempts (sched_entity_before on these fields; IDLE for the idle thread). */
struct run_key {
	uint8_t cls;
	uint8_t prio;
	uint64_t deadline;
};

struct arch_frame;

struct cpu {
	struct cpu *self;		/* first: x86's %gs:0 */
	unsigned id;			/* 0 = the boot CPU, then /cpus order */
	uint64_t hwid;			/* MPIDR affinity / local APIC ID */
	bool online;
	void *fault_stack;		/* top of the stack for guard page hits (stack_pool.c) */
	/* scheduler, this CPU only (sched/core.c) */
	struct tk_thread *current, *idle;
	struct tk_thread *switched_from;	/* until the switch away from it is done */
	struct rq rq;
	struct timerq sleepq;
	uint64_t last_ns;
	uint64_t event_ns;		/* the timer event's clock reading, for the decision
					 * on that interrupt's way out; 0: none */
	bool need_resched, deciding;
	int irq_depth;
	struct list_node boosted;
	uint64_t armed_ns;		/* time.c: what the one-shot is set to */
	uint64_t irqoff_t0, irqoff_max;	/* irqoff.c: counter ticks */
	unsigned nthreads;		/* threads that live here (placement) */
	uint32_t lead_ns;		/* sleep.c: the learned wake-up lead */
	uint64_t lead_wakes, lead_late, lead_spun_ns;
	/* from other CPUs, under lock */
	tk_spinlock_t lock;
	struct list_node wake_list;
	/* what runs here, as wakers compare against it: written by this CPU
	 * only, read by others without the lock (a seqcount: odd while being
	 * written, sched/wake.c) */
	struct run_key running;
	uint32_t running_seq;
	/* cross-call (smp_call): one at a time per target, under call_lock */
	tk_spinlock_t call_lock;
	void (*call_fn)(void *arg);
	void *call_arg;
	volatile uint32_t call_seq, call_done;
	/* crash cores (crash_core.c): the frame of the interrupt being handled
	 * (irq.c), and the one this CPU stopped in for a core (smp_stop_others;
	 * none for an interrupt idle dispatched as a call: smp_stopped_call) */
	struct arch_frame *irq_frame;
	struct arch_frame *stopped_frame;
	bool stopped;
	/* figures */
	uint64_t idle_ns, idle_since;
	uint64_t ipi_sent, ipi_received, remote_wakes, remote_wakes_no_ipi;
	uint64_t timer_irqs, irqs;
};

/* 2048 bytes: &cpus[i] is a shift, not a multiply, on the wake-up path. */
_Static_assert((sizeof(struct cpu) & (sizeof(struct cpu) - 1)) == 0,
	       "struct cpu: a power of two in size");
extern struct cpu cpus[TK_CPUS_MAX];
extern unsigned smp_ncpus;		/* online */
extern unsigned smp_ncpus_conf;	/* in the DT */
/* Set before the first secondary starts (sched_keys_on): the CPUs publish
 * their run keys for each other's wake-ups (sched/wake.c). */
extern bool smp_keys;

static inline struct cpu *cpu_self(void)
{
	return (struct cpu *)arch_percpu();
}

/* The boot CPU's struct cpu becomes the per-CPU pointer: first in kernel_start. */
void smp_boot_cpu_init(void);
/* A struct cpu's fields that are not zero at first (smp.c; smp_start.c's
 * secondaries too). */
void smp_cpu_struct_init(struct cpu *c, unsigned id, uint64_t hwid);
/* Start the secondaries the DT lists (after devices are bound, before main),
 * up to max CPUs in all (bootarg maxcpus=). */
void smp_start_secondaries(const void *fdt, unsigned max);
/* Interrupt the CPU (it runs the scheduler on the way out of the IPI). */
void smp_send_ipi(struct cpu *c);
/* Run fn(arg) on CPU c with interrupts masked and wait for it to finish,
 * masked too: the caller lets klock go while it waits (c may be spinning
 * for it, masked) and runs the calls posted to it meanwhile. It must hold
 * no other lock c may spin for. */
void smp_call(struct cpu *c, void (*fn)(void *), void *arg);
/* For a crash core: stop every other online CPU in its IPI handler, for
 * good, keeping the frame it was interrupted in (its thread's registers).
 * A CPU with interrupts masked for longer than ticks (counter ticks) is
 * left running. Returns the CPUs stopped. */
unsigned smp_stop_others(uint64_t ticks);
/* A CPU stopped with no interrupt frame (idle's interrupt, dispatched as
 * a call): the call of its stop (kernel.h's CALLER_AS_CALLED). */
struct smp_call_site {
	const void *pc, *sp, *fp;
};
const struct smp_call_site *smp_stopped_call(const struct cpu *c);
/* Online CPUs as a mask, bit n = cpus[n]. */
uint32_t smp_online_mask(void);

#endif
