/*
 * Device model: one pass over the DTB per probe level. A node is bound to
 * the linked driver matching the earliest (most specific) entry of its
 * compatible list. Bound devices are kept in probe order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>
#include <takt/device.h>
#include <takt/dt.h>
#include <takt/log.h>

#include "arch.h"
#include "device_match.h"
#include "dt_impl.h"
#include "irq.h"
#include "kernel.h"

#define MAX_DEVICES 64
#define PATH_POOL 1024
#define MAX_REGS 8

extern const struct tk_driver __takt_drivers_start[], __takt_drivers_end[];

/* The bound devices and their paths: from the heap when the probe starts,
 * the devices sized to the nodes it found, the paths' pool PATH_POOL bytes
 * as before. Static (devices for MAX_DEVICES) they were 3.5 KiB of every
 * app's static RAM. */
static struct tk_device *devices;
static int ndevices;
static char *path_pool;
static size_t path_used;

/* The device pages mapped so far in the boot's probe, [lo, hi) when one
 * range: QEMU's 32 virtio slots are 512 bytes apart, and a page-table walk
 * for each (already mapped but the first) was 200 instructions. Only while
 * device_probe_all runs, on the boot CPU alone; mappings are never taken
 * back, so a range inside is mapped as a device. */
#define PAGE_4K 4096u
static struct {
	bool on;
	uint64_t lo, hi;
} mapped;

static const char *keep_path(const void *fdt, int node)
{
	char *p = path_pool + path_used;

	if (tk_dt_path(fdt, node, p, PATH_POOL - path_used) < 0)
		return "(path too long)";
	path_used += strlen(p) + 1;
	return p;
}

/* Give back the path keep_path gave last (not the "(path too long)" text). */
static void drop_path(const char *p)
{
	if (p >= path_pool && p < path_pool + PATH_POOL)
		path_used = (size_t)(p - path_pool);
}

static void probe_one(const void *fdt, int node, const struct tk_driver *drv)
{
	struct tk_device *dev = &devices[ndevices];

	memset(dev, 0, sizeof(*dev));
	dev->fdt = fdt;
	dev->node = node;
	dev->drv = drv;
	/* nothing behind the node: as quiet as a probe's -ENODEV, without
	 * the path and the rest (virt's 31 empty virtio slots were a sixth
	 * of the boot's instructions) */
	if (drv->present && !drv->present(dev))
		return;
	dev->path = keep_path(fdt, node);
	/* the failure line below says this probe's error text: none left
	 * from an earlier lookup or probe */
	tk_dt_err_begin(NULL, -1);
	int err = drv->probe(dev);

	if (err == 0) {
		ndevices++;
		tk_printk("dev: %s -> %s\n", dev->path, drv->name);
	} else if (err != -ENODEV) {
		const char *why = tk_dt_last_error();

		tk_printk("dev: %s -> %s failed (%d): %s\n", dev->path, drv->name,
			  err, *why ? why : "(the driver gave no reason)");
	}
	if (err) {
		/* an empty virtio slot (-ENODEV) too: virt's 31 kept 672 of the
		 * pool's 1024 bytes for nothing */
		drop_path(dev->path);
		irq_forget_device(dev);	/* its slot is reused by the next probe */
	}
}

struct found {
	int node;
	const struct tk_driver *drv;
};

/* The interrupt parent of controller node, as an index into list, or -1
 * (a root: no interrupts of its own, its own parent, or one not listed). */
static int intc_parent(const void *fdt, int node, const struct found *list, int n)
{
	struct tk_dt_irq irqs[4];

	if (tk_dt_irqs(fdt, node, irqs, 4) < 1)
		return -1;
	for (int i = 0; i < n; i++)
		if (list[i].node == irqs[0].parent)
			return i;
	return -1;
}

/* Interrupt controllers probe parents first: on the Raspberry Pi 3 the
 * chained ARM controller comes before the per-core root in DT order. */
static void probe_intcs(const void *fdt, const struct found *found, int nfound,
			struct found *intcs, int *parent, int *order)
{
	int n = 0;

	for (int i = 0; i < nfound; i++)
		if (found[i].drv->level == TK_LEVEL_INTC)
			intcs[n++] = found[i];
	for (int i = 0; i < n; i++)
		parent[i] = intc_parent(fdt, intcs[i].node, intcs, n);
	if (device_order_by_parent(n, parent, order))
		for (int i = 0; i < n; i++)
			order[i] = i;
	for (int i = 0; i < n; i++)
		probe_one(fdt, intcs[order[i]].node, intcs[order[i]].drv);
}

/* The probe's lists, for MAX_DEVICES nodes each: from the heap (set up
 * before the probe) and given back after it, where they were 2.5 KiB of
 * every app's static RAM for a job done once at boot. */
struct probe_lists {
	struct device_matcher match;
	struct found found[MAX_DEVICES], intcs[MAX_DEVICES];
	int parent[MAX_DEVICES], order[MAX_DEVICES];
};
_Static_assert(DEVICE_ORDER_MAX >= MAX_DEVICES, "order buffer");

/* One walk over the DT collects the nodes a linked driver matches; they
 * are then probed level by level in DT order (controllers parents first). */
void device_probe_all(const void *fdt)
{
	struct probe_lists *l = malloc(sizeof(*l));
	struct dt_nodes it = DT_NODES(fdt);
	int nfound = 0, len;

	if (!l)
		tk_panic("dev: no RAM for the probe's lists (%u bytes)", (unsigned)sizeof(*l));
	struct found *found = l->found;

	device_matcher_init(&l->match, __takt_drivers_start, __takt_drivers_end);
	/* each node's compatible and status by its index position (the
	 * nodes in DT order): QEMU's virt has 56 nodes, and two lookups by
	 * offset and name each were a tenth of its boot */
	while (dt_nodes_next(&it) >= 0) {
		const char *list = dt_nodes_prop(&it, DT_HOT_COMPATIBLE, &len);
		const struct tk_driver *drv = device_matcher_find_list(&l->match, list, len);
		const char *status;

		if (!drv)
			continue;
		status = dt_nodes_prop(&it, DT_HOT_STATUS, &len);
		if (!dt_status_enabled(status, len))
			continue;
		if (nfound == MAX_DEVICES) {
			tk_printk("dev: more than %d devices; %s not bound\n", MAX_DEVICES, drv->name);
			continue;
		}
		found[nfound++] = (struct found){ it.node, drv };
	}
	/* each found node binds one device at most (devices point into
	 * these two: never moved) */
	devices = malloc((size_t)(nfound ? nfound : 1) * sizeof(*devices));
	path_pool = malloc(PATH_POOL);
	if (!devices || !path_pool)
		tk_panic("dev: no RAM for %d devices and their paths", nfound);
	mapped.on = true;
	probe_intcs(fdt, found, nfound, l->intcs, l->parent, l->order);
	for (int level = TK_LEVEL_INTC + 1; level < TK_LEVEL_COUNT; level++)
		for (int i = 0; i < nfound; i++)
			if (found[i].drv->level == level)
				probe_one(fdt, found[i].node, found[i].drv);
	mapped.on = false;
	free(l);
}

int tk_dev_count(void)
{
	return ndevices;
}

const struct tk_device *tk_dev_get(int i)
{
	return (i >= 0 && i < ndevices) ? &devices[i] : 0;
}

int tk_dev_reg(struct tk_device *dev, int idx, uint64_t *addr, uint64_t *size)
{
	struct tk_dt_reg regs[MAX_REGS];
	int n;

	if (!dev || !addr || !size)
		return -EINVAL;
	n = tk_dt_reg(dev->fdt, dev->node, regs, MAX_REGS);
	if (n < 0)
		return n;
	if (idx < 0 || idx >= n)
		return -ENOENT;
	*addr = regs[idx].addr;
	*size = regs[idx].size;
	return 0;
}

static int map_device(uint64_t addr, uint64_t len)
{
	uint64_t lo = addr & ~(uint64_t)(PAGE_4K - 1), end = addr + len;
	/* 0: the range wraps, or its last page does (never remembered) */
	uint64_t hi = end < addr || end > UINT64_MAX - (PAGE_4K - 1) ? 0
				: (end + PAGE_4K - 1) & ~(uint64_t)(PAGE_4K - 1);
	int err;

	if (mapped.on && hi && lo >= mapped.lo && hi <= mapped.hi)
		return 0;
	err = arch_mmu_map(addr, len, true);
	if (err || !mapped.on || !hi)
		return err;
	if (mapped.lo == mapped.hi || hi < mapped.lo || lo > mapped.hi) {
		mapped.lo = lo;	/* apart from the last: this one instead */
		mapped.hi = hi;
	} else {		/* touching or overlapping: the union */
		mapped.lo = lo < mapped.lo ? lo : mapped.lo;
		mapped.hi = hi > mapped.hi ? hi : mapped.hi;
	}
	return 0;
}

/* "<driver>: reg[idx] is empty" or "... is <len> bytes, fewer than the
 * <need> ..." for dev -> -EINVAL */
COLD static int reg_size_err(struct tk_device *dev, int idx, uint64_t len, uint64_t need)
{
	tk_dt_err_begin(dev->fdt, dev->node);
	tk_dt_err_str(dev->drv->name);
	tk_dt_err_str(": reg[");
	tk_dt_err_num((uint64_t)idx, 10);
	if (len == 0) {
		tk_dt_err_str("] is empty (size 0)");
		return -EINVAL;
	}
	tk_dt_err_str("] is ");
	tk_dt_err_num(len, 16);
	tk_dt_err_str(" bytes, fewer than the ");
	tk_dt_err_num(need, 16);
	tk_dt_err_str(" bytes of registers the driver uses");
	return -EINVAL;
}

/* need: 0, any size but 0 (tk_dev_mmio) */
static int mmio(struct tk_device *dev, int idx, uint64_t need, uintptr_t *base, uint64_t *size)
{
	uint64_t addr, len;
	int err = base ? tk_dev_reg(dev, idx, &addr, &len) : -EINVAL;

	if (err)
		return err;
	if (len == 0 || len < need)
		return reg_size_err(dev, idx, len, need);
	err = map_device(addr, len);
	if (err)
		return err;
	*base = (uintptr_t)addr;
	if (size)
		*size = len;
	return 0;
}

int tk_dev_mmio(struct tk_device *dev, int idx, uintptr_t *base, uint64_t *size)
{
	return mmio(dev, idx, 0, base, size);
}

int tk_dev_mmio_regs(struct tk_device *dev, int idx, uint64_t need, uintptr_t *base)
{
	return mmio(dev, idx, need, base, 0);
}
