/*
 * Secondary CPUs a boot loader left on a spin table (enable-method =
 * "spin-table"). The Pi firmware and QEMU's raspi boards hold CPUs 1..3 in a
 * wfe loop polling their cpu-release-addr. Until the multicore scheduler
 * starts them they are sent to a wfi loop with every exception masked: on
 * hardware that saves power, and under QEMU -icount it stops three spinning
 * vCPUs from taking turns with CPU 0 (each wfe exits to QEMU: guest time
 * crept at ~5 ms per wall-clock second on raspi3b, and -icount runs took
 * minutes). PSCI boards (virt, ZCU102) keep their secondaries off.
 */
#include <string.h>

#include <libfdt.h>
#include <takt/board.h>
#include <takt/dt.h>
#include <takt/log.h>

#include "arch.h"
#include "kernel.h"
#include "memmap.h"

static uint64_t cpu_reg(const void *fdt, int cpu, bool *ok)
{
	uint64_t id;
	uint32_t id32;

	*ok = true;
	if (tk_dt_prop_u64(fdt, cpu, "reg", &id) == 0)
		return id;
	if (tk_dt_prop_u32(fdt, cpu, "reg", &id32) == 0)
		return id32;
	*ok = false;
	return 0;
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

static bool spin_table_cpu(const void *fdt, int cpu)
{
	const char *method;

	return tk_dt_node_enabled(fdt, cpu) &&
	       tk_dt_prop_str(fdt, cpu, "enable-method", &method) == 0 &&
	       strcmp(method, "spin-table") == 0;
}

static int park_all(const void *fdt)
{
	int cpus = tk_dt_subnode(fdt, 0, "cpus"), parked = 0;

	if (cpus < 0)
		return 0;
	for (int cpu = -1; (cpu = tk_dt_next_child(fdt, cpus, cpu)) >= 0;) {
		uint64_t addr;
		bool ok;
		uint64_t id = cpu_reg(fdt, cpu, &ok);

		if (!spin_table_cpu(fdt, cpu) || !ok || id == arch_cpu_hwid())
			continue;
		if (tk_dt_prop_u64(fdt, cpu, "cpu-release-addr", &addr) || !slot_ok(boot_ram(), addr)) {
			tk_printk("cpu: %s: no usable cpu-release-addr; left as the boot loader had it\n",
				  fdt_get_name(fdt, cpu, NULL));
			continue;
		}
		arch_spin_table_park(addr);
		parked++;
	}
	return parked;
}

/* Before main(), off the boot path (entry-to-main does not wait for it): the
 * secondaries spin harmlessly until then. */
static void cpus_park(void)
{
	int n = park_all(tk_fdt());

	if (n > 0)
		tk_printk("cpu: %d secondary CPU%s parked (spin-table; multicore is not on yet)\n",
			  n, n == 1 ? "" : "s");
}
TK_INIT(cpus_park);
