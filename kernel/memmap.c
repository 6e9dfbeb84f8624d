/*
 * Physical memory map arithmetic and its DTB sources (see memmap.h).
 *
 * Regions are kept as half-open [base, end) in the computations, with
 * end = base + size; the invariant that no region wraps makes end exact.
 *
 *   add:     |--a--|   |--b--|        + [====]        -> |--a--|   |--b=====|
 *   remove:  |-----------a-----------|  - [====]      -> |--a1--|    |--a2--|
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <libfdt.h>

#include <takt/dt.h>

#include "dt_impl.h"
#include "memmap.h"

#define REGS_PER_NODE 8

static uint64_t end_of(const struct tk_mem_region *r)
{
	return r->base + r->size;
}

void tk_memmap_init(struct tk_memmap *m)
{
	memset(m, 0, sizeof(*m));
}

/* Replace r[i..j) by one region, shifting the tail; needs a free slot when i == j. */
static void splice(struct tk_memmap *m, int i, int j, uint64_t base, uint64_t end)
{
	memmove(&m->r[i + 1], &m->r[j], (size_t)(m->n - j) * sizeof(m->r[0]));
	m->n += 1 - (j - i);
	m->r[i].base = base;
	m->r[i].size = end - base;
}

int tk_memmap_add(struct tk_memmap *m, uint64_t base, uint64_t size)
{
	uint64_t end;
	int i = 0, j;

	if (size == 0)
		return 0;
	if (size > UINT64_MAX - base)
		return -EOVERFLOW;
	end = base + size;
	/* Skip regions that end before base without touching it ... */
	while (i < m->n && end_of(&m->r[i]) < base)
		i++;
	/* ... then swallow every region that overlaps or touches [base, end). */
	for (j = i; j < m->n && m->r[j].base <= end; j++) {
		if (m->r[j].base < base)
			base = m->r[j].base;
		if (end_of(&m->r[j]) > end)
			end = end_of(&m->r[j]);
	}
	if (i == j && m->n == TK_MEMMAP_MAX)
		return -ENOSPC;
	splice(m, i, j, base, end);
	return 0;
}

/* Index of the region that strictly contains [base, end) (a split), or -1. */
static int split_index(const struct tk_memmap *m, uint64_t base, uint64_t end)
{
	for (int i = 0; i < m->n; i++)
		if (m->r[i].base < base && end_of(&m->r[i]) > end)
			return i;
	return -1;
}

int tk_memmap_remove(struct tk_memmap *m, uint64_t base, uint64_t size)
{
	uint64_t end;
	int k, out = 0;

	if (size == 0)
		return 0;
	if (size > UINT64_MAX - base)
		return -EOVERFLOW;
	end = base + size;
	k = split_index(m, base, end);
	if (k >= 0) {
		uint64_t old_end = end_of(&m->r[k]);

		/* Only one region can strictly contain the hole, and then no
		 * other region overlaps it. */
		if (m->n == TK_MEMMAP_MAX)
			return -ENOSPC;
		m->r[k].size = base - m->r[k].base;
		splice(m, k + 1, k + 1, end, old_end);
		return 0;
	}
	/* No split: every region keeps at most one piece, so compact in place. */
	for (int i = 0; i < m->n; i++) {
		uint64_t lo = m->r[i].base, hi = end_of(&m->r[i]);

		if (hi > base && lo < end) {
			if (lo < base)
				hi = base;
			else if (hi > end)
				lo = end;
			else
				continue; /* wholly removed */
		}
		m->r[out].base = lo;
		m->r[out++].size = hi - lo;
	}
	m->n = out;
	return 0;
}

uint64_t tk_memmap_total(const struct tk_memmap *m)
{
	uint64_t sum = 0;

	/* Cannot overflow: the regions are disjoint and all below 2^64. */
	for (int i = 0; i < m->n; i++)
		sum += m->r[i].size;
	return sum;
}

int tk_memmap_largest(const struct tk_memmap *m, uint64_t align, struct tk_mem_region *out)
{
	bool found = false;

	if (align == 0)
		align = 1;
	if (align & (align - 1))
		return -EINVAL;
	for (int i = 0; i < m->n; i++) {
		uint64_t end = end_of(&m->r[i]), base;

		if (m->r[i].base > UINT64_MAX - (align - 1))
			continue; /* aligning up would wrap */
		base = (m->r[i].base + align - 1) & ~(align - 1);
		if (base >= end || (found && end - base <= out->size))
			continue;
		out->base = base;
		out->size = end - base;
		found = true;
	}
	return found ? 0 : -ENOMEM;
}

int tk_memmap_carve_top(struct tk_memmap *m, uint64_t size, uint64_t align,
			struct tk_mem_region *out)
{
	int best = -1;
	uint64_t best_top = 0;

	if (!size || (size & (size - 1)) || !align || (align & (align - 1)) || size < align)
		return -EINVAL;
	for (int i = 0; i < m->n; i++) {
		uint64_t end = end_of(&m->r[i]);
		uint64_t top = end & ~(align - 1);

		if (top < size || top - size < m->r[i].base)
			continue;	/* no aligned block fits in this region */
		if (best < 0 || m->r[i].size > m->r[best].size) {
			best = i;
			best_top = top;
		}
	}
	if (best < 0)
		return -ENOMEM;
	out->base = best_top - size;
	out->size = size;
	return tk_memmap_remove(m, out->base, out->size);
}

/* ---- from the devicetree ---------------------------------------------- */

/* Say which node a memory-map failure came from (tk_dt_last_error). */
static int map_err(const void *fdt, int node, const char *what, int err)
{
	tk_dt_err_begin(fdt, node);
	tk_dt_err_str(what);
	if (err == -ENOSPC) {
		tk_dt_err_str(": more than ");
		tk_dt_err_num(TK_MEMMAP_MAX, 10);
		tk_dt_err_str(" memory-map regions");
	} else if (err == -EOVERFLOW) {
		tk_dt_err_str(": region wraps past 2^64");
	} else {
		tk_dt_err_str(": cannot be read");
	}
	return err;
}

/* device_type = "memory", the marker of a RAM node (devicetree spec 3.4). */
static bool is_memory_node(const void *fdt, int node)
{
	int len;
	const char *type = dt_getprop_hot(fdt, node, DT_HOT_DEVICE_TYPE, &len);

	return type && len == 7 && memcmp(type, "memory", 7) == 0 &&
	       tk_dt_node_enabled(fdt, node);
}

static int add_node_ram(const void *fdt, int node, struct tk_memmap *ram)
{
	struct tk_dt_reg reg[REGS_PER_NODE];
	int n = tk_dt_reg(fdt, node, reg, REGS_PER_NODE);

	for (int i = 0; i < n; i++) {
		int rc = tk_memmap_add(ram, reg[i].addr, reg[i].size);

		if (rc)
			return map_err(fdt, node, "adding RAM 'reg'", rc);
	}
	return n < 0 ? n : 0;
}

int tk_memmap_ram_from_dt(const void *fdt, struct tk_memmap *ram)
{
	int node;

	tk_memmap_init(ram);
	/* Memory nodes are children of the root, so no 'ranges' apply; one
	 * without a device_type is none. */
	for (node = -1; (node = dt_next_child_maybe_with(fdt, 0, node, "device_type")) >= 0;) {
		int rc = is_memory_node(fdt, node) ? add_node_ram(fdt, node, ram) : 0;

		if (rc)
			return rc;
	}
	if (tk_memmap_total(ram) == 0) {
		tk_dt_err_begin(fdt, 0);
		tk_dt_err_str("no enabled memory node (device_type = \"memory\") with RAM");
		return -ENOENT;
	}
	return 0;
}

static int remove_memreserve(const void *fdt, struct tk_memmap *m)
{
	int n = fdt_num_mem_rsv(fdt);

	if (n < 0)
		return map_err(fdt, 0, "/memreserve/ block", -EINVAL);
	for (int i = 0; i < n; i++) {
		uint64_t addr, size;
		int rc;

		if (fdt_get_mem_rsv(fdt, i, &addr, &size) < 0)
			return map_err(fdt, 0, "/memreserve/ entry", -EINVAL);
		rc = tk_memmap_remove(m, addr, size);
		if (rc)
			return map_err(fdt, 0, "/memreserve/ entry", rc);
	}
	return 0;
}

static int remove_node_reg(const void *fdt, int node, struct tk_memmap *m)
{
	struct tk_dt_reg reg[REGS_PER_NODE];
	int n;

	/* No 'reg': a dynamic pool for an OS to place, nothing fixed to avoid. */
	if (!tk_dt_node_enabled(fdt, node) || !dt_getprop_hot(fdt, node, DT_HOT_REG, NULL))
		return 0;
	n = tk_dt_reg(fdt, node, reg, REGS_PER_NODE);
	for (int i = 0; i < n; i++) {
		int rc = tk_memmap_remove(m, reg[i].addr, reg[i].size);

		if (rc)
			return map_err(fdt, node, "removing reserved 'reg'", rc);
	}
	return n < 0 ? n : 0;
}

int tk_memmap_reserved_from_dt(const void *fdt, struct tk_memmap *m)
{
	int rc = remove_memreserve(fdt, m);
	int resv = tk_dt_subnode(fdt, 0, "reserved-memory");
	int node;

	if (rc || resv < 0)
		return rc;
	for (node = -1; (node = tk_dt_next_child(fdt, resv, node)) >= 0;) {
		rc = remove_node_reg(fdt, node, m);
		if (rc)
			return rc;
	}
	return 0;
}
