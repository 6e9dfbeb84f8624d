/*
 * The CPUs' structs and the ways CPUs reach each other: IPIs, cross-calls,
 * stopping the others for a crash core. Bringing the secondaries up from
 * the DT is smp_start.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>
#include <takt/board.h>
#include <takt/device.h>
#include <takt/dt.h>
#include <takt/log.h>
#include <takt/thread.h>
#include <takt/time.h>

#include "irq.h"
#include "kernel.h"
#include "memmap.h"
#include "irqoff.h"
#include "smp.h"
#include "thread_impl.h"

struct cpu cpus[TK_CPUS_MAX];
unsigned smp_ncpus = 1, smp_ncpus_conf = 1;
bool smp_keys;

void smp_cpu_struct_init(struct cpu *c, unsigned id, uint64_t hwid)
{
	c->self = c;
	c->id = id;
	c->hwid = hwid;
	list_init(&c->wake_list);
	list_init(&c->boosted);
	c->armed_ns = TIMERQ_NEVER;
}

void smp_boot_cpu_init(void)
{
	smp_cpu_struct_init(&cpus[0], 0, arch_cpu_hwid());
	cpus[0].online = true;
	arch_percpu_set(&cpus[0]);
}

uint32_t smp_online_mask(void)
{
	uint32_t m = 0;

	for (unsigned i = 0; i < TK_CPUS_MAX; i++)
		if (__atomic_load_n(&cpus[i].online, __ATOMIC_ACQUIRE))
			m |= 1u << i;
	return m;
}

/* ---- IPIs and cross-calls ---- */

void smp_send_ipi(struct cpu *c)
{
	cpu_self()->ipi_sent++;
	irq_send_ipi(c->id, c->hwid);
}

static bool stopping;	/* a crash core is being written: stop here */
static struct smp_call_site stopped_call[TK_CPUS_MAX];	/* out of struct cpu: its size */

const struct smp_call_site *smp_stopped_call(const struct cpu *c)
{
	return &stopped_call[c->id];
}

/* noinline: the core shows this CPU from this call when it has no
 * interrupt frame (idle's interrupt, dispatched as a call; a wait in
 * smp_call), as a panic shows its caller. */
__attribute__((noinline, noreturn)) static void stop_here(struct cpu *c,
							   struct arch_frame *frame)
{
	struct smp_call_site *call = &stopped_call[c->id];

	c->stopped_frame = frame;
	CALLER_AS_CALLED(call->pc, call->sp, call->fp);
	__atomic_store_n(&c->stopped, true, __ATOMIC_RELEASE);
	arch_irq_save();
	for (;;)
		arch_cpu_relax();
}

unsigned smp_stop_others(uint64_t ticks)
{
	struct cpu *self = cpu_self();
	uint64_t t0 = arch_counter();
	unsigned n = 0;

	if (smp_ncpus < 2)
		return 0;
	__atomic_store_n(&stopping, true, __ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < TK_CPUS_MAX; i++)
		if (cpus[i].online && &cpus[i] != self)
			smp_send_ipi(&cpus[i]);
	for (unsigned i = 0; i < TK_CPUS_MAX; i++) {
		if (!cpus[i].online || &cpus[i] == self)
			continue;
		while (!__atomic_load_n(&cpus[i].stopped, __ATOMIC_ACQUIRE) &&
		       arch_counter() - t0 < ticks)
			arch_cpu_relax();
		n += __atomic_load_n(&cpus[i].stopped, __ATOMIC_ACQUIRE);
	}
	return n;
}

/* A call posted to this CPU, run here: from its IPI, or by the CPU itself
 * while it waits in smp_call. */
static void run_posted_call(struct cpu *c)
{
	uint32_t seq = __atomic_load_n(&c->call_seq, __ATOMIC_ACQUIRE);

	if (seq != c->call_done) {
		c->call_fn(c->call_arg);
		__atomic_store_n(&c->call_done, seq, __ATOMIC_RELEASE);
		arch_cpu_kick();
	}
}

/* One turn of a wait in smp_call, interrupts masked: what would come by
 * IPI is done here. */
static void wait_serving(struct cpu *self)
{
	if (__atomic_load_n(&stopping, __ATOMIC_ACQUIRE))
		stop_here(self, 0);
	run_posted_call(self);
	arch_cpu_relax();
}

/* The IPI line's handler: stop for a crash core, or run a pending
 * cross-call, then reschedule (the wake list may hold a thread that
 * preempts; the interrupt's way out decides). */
void smp_ipi_handler(void *arg)
{
	struct cpu *c = cpu_self();

	(void)arg;
	if (__atomic_load_n(&stopping, __ATOMIC_ACQUIRE))
		stop_here(c, c->irq_frame);
	c->ipi_received++;
	run_posted_call(c);
	c->need_resched = true;
}

/* Interrupts stay masked for the whole call: a caller holding call_lock
 * must not be switched out (a thread of its CPU calling the same target
 * would spin for it for good). So it never takes the IPI of a call posted
 * to it meanwhile, and runs such calls itself while it waits, for the lock
 * or the answer; and it lets klock go, which the target may be spinning
 * for with interrupts masked (a thread created inside a tk_irq_lock
 * section, on x86), as a section's blocking call does. */
void smp_call(struct cpu *c, void (*fn)(void *), void *arg)
{
	unsigned long f = arch_irq_save();
	struct cpu *self = cpu_self();
	unsigned depth;

	if (c == self) {
		fn(arg);
		arch_irq_restore(f);
		return;
	}
	depth = klock_drop();
	while (!tk_spin_trylock(&c->call_lock))
		wait_serving(self);
	c->call_fn = fn;
	c->call_arg = arg;
	uint32_t seq = c->call_seq + 1;

	__atomic_store_n(&c->call_seq, seq, __ATOMIC_RELEASE);
	smp_send_ipi(c);
	arch_cpu_kick();	/* a target waiting here too sleeps in WFE, masked */
	while (__atomic_load_n(&c->call_done, __ATOMIC_ACQUIRE) != seq)
		wait_serving(self);
	tk_spin_unlock(&c->call_lock);
	klock_retake(depth);
	arch_irq_restore(f);
}

int tk_cpu_stats(unsigned cpu, struct tk_cpu_stats *st)
{
	struct cpu *c;
	uint64_t now = tk_now_ns();

	if (!st || cpu >= TK_CPUS_MAX || !cpus[cpu].online)
		return -EINVAL;
	c = &cpus[cpu];
	st->idle_ns = c->idle_ns + (c->current == c->idle ? now - c->idle_since : 0);
	st->ipi_sent = c->ipi_sent;
	st->ipi_received = c->ipi_received;
	st->remote_wakes = c->remote_wakes;
	st->remote_wakes_no_ipi = c->remote_wakes_no_ipi;
	st->timer_irqs = c->timer_irqs;
	st->irqs = c->irqs;
	st->threads = c->nthreads;
	st->sched_lock_max_ns = tk_spin_max_hold_ns(&c->lock);
	st->irqoff_max_ns = irqoff_max_ns(cpu);
	st->running_id = c->current && c->current != c->idle ? c->current->id : 0;
	return 0;
}

void tk_cpu_relax(void)
{
#if defined(__aarch64__)
	__asm__ volatile("yield" ::: "memory");	/* QEMU: ends this vCPU's turn */
#else
	__asm__ volatile("pause" ::: "memory");
#endif
}
