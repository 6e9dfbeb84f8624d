/*
 * Secondary CPUs from the DT, and the ways CPUs reach each other: IPIs and
 * cross-calls. /cpus/cpu@N with enable-method "psci" (CPU_ON through the
 * bound PSCI driver) or "spin-table" (cpu-release-addr); a CPU that does not
 * check in within CPU_UP_TIMEOUT_NS is named and left out, and the system
 * runs on the others.
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

#define CPU_UP_TIMEOUT_NS 100000000ull	/* 100 ms: QEMU under -icount takes turns */
#define IDLE_STACK 8192

struct cpu cpus[TK_CPUS_MAX];
unsigned smp_ncpus = 1, smp_ncpus_conf = 1;
bool smp_keys;

/* One per start attempt, never reused: the secondary and the boot CPU race
 * to claim it (ARRIVED / GIVEN_UP), so a CPU that comes after the bound
 * parks instead of running on a struct cpu given to the next CPU. */
enum { START_WAITING, START_ARRIVED, START_GIVEN_UP };
static struct start_rec {
	uint32_t state;
	struct cpu *cpu;
} starts[TK_CPUS_MAX];
static unsigned nstarts;

static struct {
	struct tk_device *dev;
	const char *method;
	tk_cpu_on_fn on;
} methods[2];

int tk_cpu_method_register(struct tk_device *dev, const char *method, tk_cpu_on_fn on)
{
	for (unsigned i = 0; i < 2; i++) {
		if (methods[i].on && strcmp(methods[i].method, method) == 0)
			return -EBUSY;
		if (!methods[i].on) {
			methods[i].dev = dev;
			methods[i].method = method;
			methods[i].on = on;
			return 0;
		}
	}
	return -ENOSPC;
}

static void cpu_struct_init(struct cpu *c, unsigned id, uint64_t hwid)
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
	cpu_struct_init(&cpus[0], 0, arch_cpu_hwid());
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

__attribute__((noreturn)) static void stop_here(struct cpu *c)
{
	c->stopped_frame = c->irq_frame;
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

/* The IPI line's handler: stop for a crash core, or run a pending
 * cross-call, then reschedule (the wake list may hold a thread that
 * preempts; the interrupt's way out decides). */
void smp_ipi_handler(void *arg)
{
	struct cpu *c = cpu_self();
	uint32_t seq = __atomic_load_n(&c->call_seq, __ATOMIC_ACQUIRE);

	(void)arg;
	if (__atomic_load_n(&stopping, __ATOMIC_ACQUIRE))
		stop_here(c);
	c->ipi_received++;
	if (seq != c->call_done) {
		c->call_fn(c->call_arg);
		__atomic_store_n(&c->call_done, seq, __ATOMIC_RELEASE);
		arch_cpu_kick();
	}
	c->need_resched = true;
}

void smp_call(struct cpu *c, void (*fn)(void *), void *arg)
{
	if (c == cpu_self()) {
		unsigned long f = arch_irq_save();

		fn(arg);
		arch_irq_restore(f);
		return;
	}
	tk_spin_lock(&c->call_lock);
	c->call_fn = fn;
	c->call_arg = arg;
	uint32_t seq = c->call_seq + 1;

	__atomic_store_n(&c->call_seq, seq, __ATOMIC_RELEASE);
	smp_send_ipi(c);
	while (__atomic_load_n(&c->call_done, __ATOMIC_ACQUIRE) != seq)
		arch_cpu_relax();
	tk_spin_unlock(&c->call_lock);
}

/* ---- bring-up ---- */

static bool cpu_hwid_of(const void *fdt, int node, uint64_t *id)
{
	uint32_t id32;

	if (tk_dt_prop_u64(fdt, node, "reg", id) == 0)
		return true;
	if (tk_dt_prop_u32(fdt, node, "reg", &id32) == 0) {
		*id = id32;
		return true;
	}
	return false;
}

/* The release slot must be 8-byte aligned RAM the DT describes. */
static bool slot_ok(const struct tk_memmap *ram, uint64_t addr)
{
	if (addr & 7)
		return false;
	for (int i = 0; i < ram->n; i++)
		if (addr >= ram->r[i].base && addr - ram->r[i].base + 8 <= ram->r[i].size)
			return true;
	return false;
}

static bool is_cpu(const void *fdt, int node)
{
	const char *type;

	return tk_dt_prop_str(fdt, node, "device_type", &type) == 0 && strcmp(type, "cpu") == 0;
}

/* Send the CPU off: 0, or why not (logged by the caller). */
static int kick(const void *fdt, int node, uint64_t hwid, const char **why)
{
	const char *method;
	uintptr_t entry = arch_secondary_entry();
	uint64_t addr;

	if (!entry)
		return *why = "this arch does not start secondary CPUs yet", -ENOSYS;
	if (tk_dt_prop_str(fdt, node, "enable-method", &method) &&
	    !(method = arch_cpu_default_method()))
		return *why = "no enable-method", -EINVAL;
	if (strcmp(method, "spin-table") == 0) {
		if (tk_dt_prop_u64(fdt, node, "cpu-release-addr", &addr) || !slot_ok(boot_ram(), addr))
			return *why = "no usable cpu-release-addr (8-byte aligned RAM)", -EINVAL;
		arch_spin_table_release(addr, entry);
		return 0;
	}
	for (unsigned i = 0; i < 2; i++)
		if (methods[i].on && strcmp(methods[i].method, method) == 0) {
			int err = methods[i].on(methods[i].dev, hwid, entry);

			return err ? (*why = "CPU_ON refused", err) : 0;
		}
	*why = "its enable-method has no bound driver";
	return -ENODEV;
}

static bool claim(struct start_rec *r, uint32_t to)
{
	uint32_t want = START_WAITING;

	return __atomic_compare_exchange_n(&r->state, &want, to, false, __ATOMIC_ACQ_REL,
					   __ATOMIC_ACQUIRE);
}

/* Arrived within the bound (then wait for it to finish coming up), or given up. */
static bool wait_online(struct start_rec *r)
{
	uint64_t until = tk_now_ns() + CPU_UP_TIMEOUT_NS;

	while (__atomic_load_n(&r->state, __ATOMIC_ACQUIRE) == START_WAITING) {
		if (tk_now_ns() > until && claim(r, START_GIVEN_UP))
			return false;
		tk_cpu_relax();	/* not wfe: a CPU that never comes would never send the event */
	}
	while (!__atomic_load_n(&r->cpu->online, __ATOMIC_ACQUIRE))
		tk_cpu_relax();
	return true;
}

static void start_one(const void *fdt, int node, uint64_t hwid)
{
	struct cpu *c = &cpus[smp_ncpus];
	const char *why = "";
	char *stack = thread_stack_alloc(IDLE_STACK, "idle");
	int err;

	if (!stack || !irq_can_ipi()) {
		tk_printk("cpu: %s: %s; not started\n", fdt_get_name(fdt, node, NULL),
			  stack ? "the interrupt controller cannot send IPIs" : "no memory");
		thread_stack_free(stack, IDLE_STACK);
		return;
	}
	struct start_rec *r;

	if (nstarts == TK_CPUS_MAX) {
		tk_printk("cpu: %s: more than %d start attempts; not started\n",
			  fdt_get_name(fdt, node, NULL), TK_CPUS_MAX);
		thread_stack_free(stack, IDLE_STACK);
		return;
	}
	cpu_struct_init(c, smp_ncpus, hwid);
	if (!smp_keys)
		sched_keys_on();	/* before any other CPU can read the boot CPU's key */
	if (sched_cpu_prepare(c, stack, IDLE_STACK)) {
		tk_printk("cpu: %s: no memory; not started\n", fdt_get_name(fdt, node, NULL));
		thread_stack_free(stack, IDLE_STACK);
		return;
	}
	thread_cpu_fault_stack(c);
	r = &starts[nstarts++];
	r->cpu = c;
	__atomic_store_n(&r->state, START_WAITING, __ATOMIC_RELEASE);
	if (arch_secondary_prepare(hwid, stack + IDLE_STACK, r)) {
		tk_printk("cpu: %s: no start block left; not started\n", fdt_get_name(fdt, node, NULL));
		return;
	}
	err = kick(fdt, node, hwid, &why);
	if (err) {
		tk_printk("cpu: %s: %s (%d); not started\n", fdt_get_name(fdt, node, NULL), why, err);
		return;	/* the stack stays: cheaper than proving nobody runs on it */
	}
	if (!wait_online(r)) {
		tk_printk("cpu: %s (hwid 0x%lx) did not come up within %u ms; running without it\n",
			  fdt_get_name(fdt, node, NULL), (unsigned long)hwid,
			  (unsigned)(CPU_UP_TIMEOUT_NS / 1000000));
		return;
	}
	smp_ncpus++;
}

void smp_start_secondaries(const void *fdt, unsigned max)
{
	int cpus_node = tk_dt_subnode(fdt, 0, "cpus");
	uint64_t self = arch_cpu_hwid(), hwid;

	if (cpus_node < 0)
		return;
	for (int n = -1; (n = tk_dt_next_child(fdt, cpus_node, n)) >= 0;) {
		if (!is_cpu(fdt, n) || !tk_dt_node_enabled(fdt, n))
			continue;
		if (!cpu_hwid_of(fdt, n, &hwid)) {
			smp_ncpus_conf++;	/* a CPU, but which one cannot be said */
			tk_printk("cpu: %s: no reg; not started\n", fdt_get_name(fdt, n, NULL));
			continue;
		}
		if (hwid == self)
			continue;
		smp_ncpus_conf++;
		if (smp_ncpus >= max) {
			tk_printk("cpu: %s: maxcpus=%u; not started\n", fdt_get_name(fdt, n, NULL), max);
			continue;
		}
		if (smp_ncpus == TK_CPUS_MAX) {
			tk_printk("cpu: %s: more than %d CPUs; not started\n",
				  fdt_get_name(fdt, n, NULL), TK_CPUS_MAX);
			continue;
		}
		start_one(fdt, n, hwid);
	}
	if (smp_ncpus_conf > 1)
		tk_printk("cpu: %u of %u CPUs online\n", smp_ncpus, smp_ncpus_conf);
}

/* A secondary, from arch_secondary_entry with the MMU on. Too late (the
 * boot CPU gave up on it): park, touching nothing of the kernel's. */
__attribute__((noreturn)) void smp_secondary_main(struct start_rec *r)
{
	struct cpu *c;

	if (!claim(r, START_ARRIVED))
		arch_halt();
	c = r->cpu;
	arch_percpu_set(c);
	if (c->fault_stack)
		arch_cpu_set_fault_stack(c->fault_stack);
	irq_cpu_init(c->id);
	sched_cpu_start(c);
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	arch_irq_enable();
	sched_idle_entry(0);
	arch_halt();
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
