/*
 * The DT layer on a blob from a boot loader: validation, then every
 * checked accessor the device model and the drivers use on every node
 * (reg translation, interrupts, phandles, paths, the device matcher, the
 * interrupt-controller probe order) and the memory map read from the DT.
 * Each input is read twice: through the node index and through libfdt's
 * walks (a blob with more than TK_DT_INDEX_MAX nodes goes without index
 * in the kernel), and both must agree (paths, reg, and the probe's walk
 * by index position against tk_dt_next_node and dt_getprop). dt_raw.c's lookups (x86's TSC
 * calibration, on a blob not yet validated) on every input whose header's
 * totalsize is there, agreeing with libfdt's when it validates.
 */
#include <errno.h>

#include <libfdt.h>

#include <takt/device.h>
#include <takt/dt.h>

#include "device_match.h"
#include "dt_impl.h"
#include "fuzz_common.h"
#include "memmap.h"

#define DRV(id, ...)                                                            \
	{ #id, TK_LEVEL_DEVICE, NULL, (const char *const[]){ __VA_ARGS__, NULL }, NULL }

/* Compatibles of the fixtures and of the real drivers, so that matching
 * goes past its first strcmp. */
static const struct tk_driver drivers[] = {
	DRV(pl011, "arm,pl011", "arm,sbsa-uart"),
	DRV(gic, "arm,gic-400", "arm,cortex-a15-gic", "arm,gic-v3"),
	DRV(timer, "arm,armv8-timer"),
	DRV(virtio, "virtio,mmio"),
	DRV(ns16550, "ns16550a", "ns16550"),
	DRV(ioapic, "intel,ce4100-ioapic"),
	DRV(primecell, "arm,primecell"),
};

/* A header libfdt reads as version 0: tk_dt_index_build() on it forgets
 * the index (and the phandle memo) of the previous input, whose buffer
 * malloc may hand out again at the same address. */
static const uint64_t no_blob[8];

/* What the first 64 nodes answered through the index, for the walk without
 * it to compare: path, reg (count or error, and the entries). */
struct seen {
	char path[256];
	int nreg;
	struct tk_dt_reg reg[4];
};

/* The probe's walk (dt_nodes): tk_dt_next_node's nodes, each node's
 * compatible and status as dt_getprop gives them. */
static void probe_walk(const void *fdt)
{
	struct dt_nodes it = DT_NODES(fdt);
	int want = -1;

	do {
		want = tk_dt_next_node(fdt, want);
		FUZZ_CHECK(dt_nodes_next(&it) == want && it.node == want);
		if (want < 0)
			break;
		int la, lb;
		const void *a = dt_nodes_prop(&it, DT_HOT_COMPATIBLE, &la);
		const void *b = dt_getprop(fdt, want, "compatible", &lb);

		FUZZ_CHECK(a == b && (!a || la == lb));
		a = dt_nodes_prop(&it, DT_HOT_STATUS, &la);
		b = dt_getprop(fdt, want, "status", &lb);
		FUZZ_CHECK(a == b && (!a || la == lb));
	} while (1);
}

/* indexed: 1, through the index, noted in seen; 0, without, compared
 * with seen; -1, without, nothing to compare with. */
static void walk(const void *fdt, int indexed, struct seen *seen, int *nodes)
{
	int ctl[DEVICE_ORDER_MAX], parent[DEVICE_ORDER_MAX], order[DEVICE_ORDER_MAX];
	int nctl = 0, n = 0;

	for (int node = tk_dt_next_node(fdt, -1); node >= 0; node = tk_dt_next_node(fdt, node)) {
		struct tk_dt_reg reg[4];
		struct tk_dt_irq irq[4];
		uint32_t u32, ac, sc;
		uint64_t u64;
		const char *s;
		char path[256];
		int target, pr;

		FUZZ_CHECK(n < 100000);
		pr = tk_dt_path(fdt, node, path, sizeof(path));
		(void)tk_dt_depth(fdt, node);
		(void)tk_dt_parent_cells(fdt, node, &ac, &sc);
		int nreg = tk_dt_reg(fdt, node, reg, 4);

		FUZZ_CHECK(nreg <= 4);
		/* index and libfdt give the same path and reg for the same node */
		if (indexed == 1 && n < 64) {
			snprintf(seen[n].path, sizeof(seen[n].path), "%s", pr ? "?" : path);
			seen[n].nreg = nreg;
			memcpy(seen[n].reg, reg, sizeof(reg[0]) * (nreg > 0 ? (size_t)nreg : 0));
		} else if (indexed == 0 && n < 64) {
			FUZZ_CHECK(!strcmp(seen[n].path, pr ? "?" : path) && seen[n].nreg == nreg);
			FUZZ_CHECK(nreg <= 0 || !memcmp(seen[n].reg, reg, sizeof(reg[0]) * (size_t)nreg));
		}
		n++;
		int nirq = tk_dt_irqs(fdt, node, irq, 4);

		FUZZ_CHECK(nirq <= 4);
		for (int i = 0; i < nirq; i++)
			FUZZ_CHECK(irq[i].ncells <= TK_DT_MAX_IRQ_CELLS);
		(void)tk_dt_node_enabled(fdt, node);
		(void)tk_dt_prop_u32(fdt, node, "#interrupt-cells", &u32);
		(void)tk_dt_prop_u64(fdt, node, "clock-frequency", &u64);
		(void)tk_dt_prop_str(fdt, node, "device_type", &s);
		(void)tk_dt_prop_phandle(fdt, node, "clocks", &target);
		(void)tk_dt_prop_bool(fdt, node, "interrupt-controller");
		(void)tk_dt_compat_index(fdt, node, "virtio,mmio");
		(void)tk_dt_subnode(fdt, node, "cpu");
		for (int c = tk_dt_next_child(fdt, node, -1), k = 0; c >= 0 && k < 300;
		     c = tk_dt_next_child(fdt, node, c), k++)
			;
		const struct tk_driver *d = device_match(fdt, node, drivers,
							 drivers + sizeof(drivers) / sizeof(drivers[0]));

		FUZZ_CHECK(!d || (d >= drivers && d < drivers + sizeof(drivers) / sizeof(drivers[0])));
		/* interrupt controllers, with their parent's index, as boot.c orders them */
		if (tk_dt_prop_bool(fdt, node, "interrupt-controller") && nctl < DEVICE_ORDER_MAX) {
			parent[nctl] = -1;
			if (nirq > 0)
				for (int i = 0; i < nctl; i++)
					if (ctl[i] == irq[0].parent)
						parent[nctl] = i;
			ctl[nctl++] = node;
		}
	}
	*nodes = n;
	if (device_order_by_parent(nctl, parent, order) == 0) {
		int seen[DEVICE_ORDER_MAX] = { 0 };

		for (int i = 0; i < nctl; i++) {
			FUZZ_CHECK(order[i] >= 0 && order[i] < nctl && !seen[order[i]]);
			seen[order[i]] = 1;
		}
	}
	(void)tk_dt_stdout_node(fdt);
	(void)tk_dt_find_node(fdt, "serial0");
	(void)tk_dt_find_node(fdt, "/chosen");
}

static void memory_map(const void *fdt)
{
	struct tk_memmap ram, res;
	struct tk_mem_region r;

	if (tk_memmap_ram_from_dt(fdt, &ram) < 0)
		return;
	FUZZ_CHECK(ram.n >= 0 && ram.n <= TK_MEMMAP_MAX);
	for (int i = 1; i < ram.n; i++)	/* sorted, disjoint */
		FUZZ_CHECK(ram.r[i - 1].base + ram.r[i - 1].size <= ram.r[i].base);
	tk_memmap_init(&res);
	if (tk_memmap_reserved_from_dt(fdt, &res) < 0)
		return;
	for (int i = 0; i < res.n; i++)
		(void)tk_memmap_remove(&ram, res.r[i].base, res.r[i].size);
	uint64_t before = tk_memmap_total(&ram);

	if (tk_memmap_largest(&ram, 4096, &r) == 0)
		FUZZ_CHECK(r.size <= before);
	if (tk_memmap_carve_top(&ram, 1 << 20, 4096, &r) == 0)
		FUZZ_CHECK(tk_memmap_total(&ram) == before - r.size && (r.base & 4095) == 0);
}

/* Never a read outside the blob (ASan); libfdt's answers when valid. */
static void raw_lookups(const void *fdt, size_t size, int valid)
{
	static const char *const names[] = { "cpus", "memory", "chosen", "cpu@0" };

	if (size < FDT_V17_SIZE || fdt_totalsize(fdt) > size)
		return;
	for (unsigned k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		int len = 0, l2 = 0, node = dt_raw_subnode(fdt, 0, names[k]);
		const char *p = dt_raw_getprop(fdt, node, "reg", &len);

		if (p)
			FUZZ_CHECK(len >= 0 && p + len <= (const char *)fdt + size);
		if (!valid)
			continue;
		FUZZ_CHECK(node == fdt_subnode_offset(fdt, 0, names[k]));
		if (node >= 0)
			FUZZ_CHECK(p == fdt_getprop(fdt, node, "reg", &l2) && (!p || len == l2));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct seen seen[64];
	static uint32_t mem[TK_DT_INDEX_MAX * DT_INDEX_NODE_BYTES / 4];
	void *fdt = fuzz_copy(data, size);
	int n_idx = 0, n_walk = 0, n_boot = 0, nodes = 0;

	(void)tk_dt_index_build(no_blob);
	raw_lookups(fdt, size, 0);
	int rc = tk_dt_validate(fdt, size);

	/* the boot's walk that validates and indexes at once: the same verdict */
	FUZZ_CHECK(dt_validate_index_in(fdt, size, mem, sizeof(mem), &nodes) == rc);
	FUZZ_CHECK(rc ? nodes == rc && !dt_indexed(fdt) : (nodes >= 0) == dt_indexed(fdt));
	if (rc == 0) {
		raw_lookups(fdt, size, 1);
		if (nodes >= 0)
			walk(fdt, 1, seen, &n_boot);
		if (tk_dt_index_build(fdt) >= 0) {
			FUZZ_CHECK(nodes >= 0);	/* it fits the boot's buffer too */
			walk(fdt, 1, seen, &n_idx);
			probe_walk(fdt);
			(void)tk_dt_index_build(no_blob);
			walk(fdt, 0, seen, &n_walk);
			probe_walk(fdt);
			FUZZ_CHECK(n_idx == n_walk && n_boot == n_walk);
		} else {	/* compared with the boot's index, if it had one */
			walk(fdt, nodes >= 0 ? 0 : -1, seen, &n_walk);
			probe_walk(fdt);
		}
		memory_map(fdt);
	}
	FUZZ_CHECK(tk_dt_last_error() != NULL);
	free(fdt);
	return 0;
}
