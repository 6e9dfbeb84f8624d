/*
 * Secondary CPUs from the DT, once at boot: /cpus/cpu@N with enable-method
 * "psci" (CPU_ON through the bound PSCI driver) or "spin-table"
 * (cpu-release-addr); a CPU that does not check in within
 * CPU_UP_TIMEOUT_NS is named and left out, and the system runs on the
 * others. Split from smp.c (its run-time paths: IPIs, cross-calls) and
 * built for size (takt_cold_sources): it runs once.
 */
#include <errno.h>
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
#include "smp.h"
#include "thread_impl.h"

#define CPU_UP_TIMEOUT_NS 100000000ull	/* 100 ms: QEMU under -icount takes turns */
#define IDLE_STACK 8192

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
	smp_cpu_struct_init(c, smp_ncpus, hwid);
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
