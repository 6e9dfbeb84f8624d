/*
 * Interrupt routing from the DT: a device node's `interrupt-affinity` holds
 * one cpu-node phandle per entry of its interrupts (the property Linux's
 * arm,pmu binding uses for the same question), and those lines go to those
 * CPUs once the CPUs are up. Lines a driver connects later stay on CPU 0
 * unless it routes them itself. A bad entry (a phandle that names no cpu
 * node, a CPU that is not online, a controller that cannot route) is named
 * on the console and the line stays on CPU 0: the device still works.
 */
#include <errno.h>
#include <string.h>

#include <libfdt.h>

#include <takt/device.h>
#include <takt/dt.h>
#include <takt/log.h>

#include "dt_impl.h"
#include "irq.h"
#include "smp.h"

/* The online CPU whose hwid is cpu node n's reg, or -1. */
static int cpu_of_node(const void *fdt, int n)
{
	uint32_t ac, sc;
	int len;
	const fdt32_t *reg = dt_getprop_hot(fdt, n, DT_HOT_REG, &len);
	const char *type = dt_getprop_hot(fdt, n, DT_HOT_DEVICE_TYPE, NULL);
	uint64_t hwid;

	if (!type || strcmp(type, "cpu") != 0 || !reg ||
	    tk_dt_parent_cells(fdt, n, &ac, &sc) || ac < 1 || len < (int)(4 * ac))
		return -1;
	hwid = fdt32_to_cpu(reg[0]);
	if (ac == 2)
		hwid = hwid << 32 | fdt32_to_cpu(reg[1]);
	for (unsigned i = 0; i < TK_CPUS_MAX; i++)
		if (cpus[i].online && cpus[i].hwid == hwid)
			return (int)i;
	return -1;
}

static void route_entry(struct tk_device *dev, int idx, uint32_t phandle)
{
	int n = fdt_node_offset_by_phandle(dev->fdt, phandle);
	int cpu = n < 0 ? -1 : cpu_of_node(dev->fdt, n);
	int err;

	if (cpu < 0) {
		tk_printk("irq: %s: interrupt-affinity entry %d names no online CPU; on CPU 0\n",
			  dev->path, idx);
		return;
	}
	err = tk_irq_set_affinity(dev, idx, (unsigned)cpu);
	if (err && err != -ENOENT)	/* -ENOENT: not connected (yet) */
		tk_printk("irq: %s: interrupt %d to CPU %d: error %d; on CPU 0\n", dev->path, idx,
			  cpu, err);
}

void irq_affinity_from_dt(void)
{
	for (int i = 0; i < tk_dev_count(); i++) {
		struct tk_device *dev = (struct tk_device *)tk_dev_get(i);
		int len;
		const fdt32_t *p = dt_getprop_hot(dev->fdt, dev->node, DT_HOT_INTERRUPT_AFFINITY, &len);

		if (!p)
			continue;
		if (len % 4) {
			tk_printk("irq: %s: interrupt-affinity is not a list of phandles; ignored\n",
				  dev->path);
			continue;
		}
		for (int k = 0; k < len / 4; k++)
			route_entry(dev, k, fdt32_to_cpu(p[k]));
	}
}
