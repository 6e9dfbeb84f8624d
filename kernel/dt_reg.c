/*
 * Checked devicetree access (see <takt/dt.h> for the contracts): #address-
 * and #size-cells, and reg translated through every ancestor's ranges;
 * split out of dt.c, on its private helpers (dt_impl.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <libfdt.h>

#include <takt/dt.h>

#include "dt_impl.h"

/* Code off the usual path (devices behind a bus with 'ranges'), built for
 * size where the compiler takes it per function (gcc; the fuzzers' clang
 * does not). */
#if defined(__GNUC__) && !defined(__clang__)
#define FOR_SIZE __attribute__((optimize("Os")))
#else
#define FOR_SIZE
#endif

/* One '#...-cells' of bus, dflt when absent; limited to 2 (64 bits). */
static int cell_prop(const void *fdt, int bus, enum dt_hot id, uint32_t dflt, uint32_t *out)
{
	int len;
	const char *name = dt_hot_name(id);
	const uint8_t *p = dt_getprop_hot(fdt, bus, id, &len);

	if (!p) {
		*out = dflt;
		return len == -FDT_ERR_NOTFOUND ? 0 : dt_prop_err(fdt, bus, name, "cannot be read",
							     dt_fdt_errno(len));
	}
	if (len != 4)
		return dt_len_err(fdt, bus, name, len, "not 4");
	*out = dt_be32(p);
	if (*out > 2) {
		dt_prop_err(fdt, bus, name, "is ", -EINVAL);
		tk_dt_err_num(*out, 10);
		tk_dt_err_str(", but only up to 2 cells (64 bits) are supported");
		return -EINVAL;
	}
	return 0;
}

/* The last bus asked about, for an indexed (so immutable) blob: devices
 * on one bus (QEMU's 32 virtio slots on the root) need one lookup. Set
 * only while fdt is the indexed blob, and forgotten with the index
 * (dt_reg_forget), so a hit needs no dt_indexed. */
static struct {
	const void *fdt;
	int bus;
	uint32_t ac, sc;
} cells_memo = { 0, -1, 0, 0 };

void dt_reg_forget(void)
{
	cells_memo.fdt = 0;
}

/* bus_cells past the memo: read, and remembered for an indexed blob. */
static int bus_cells_read(const void *fdt, int bus, uint32_t *ac, uint32_t *sc)
{
	int rc = cell_prop(fdt, bus, DT_HOT_ADDRESS_CELLS, 2, ac);

	if (!rc)
		rc = cell_prop(fdt, bus, DT_HOT_SIZE_CELLS, 1, sc);
	if (!rc && dt_indexed(fdt))
		cells_memo = (typeof(cells_memo)){ fdt, bus, *ac, *sc };
	return rc;
}

/* The #address-cells / #size-cells that bus declares for its children:
 * the memo's hit inline (every device's reg asks). */
static inline int bus_cells(const void *fdt, int bus, uint32_t *ac, uint32_t *sc)
{
	if (fdt && fdt == cells_memo.fdt && bus == cells_memo.bus) {
		*ac = cells_memo.ac;
		*sc = cells_memo.sc;
		return 0;
	}
	return bus_cells_read(fdt, bus, ac, sc);
}

/* The parent of node (at index position i, or -1), or -EINVAL for the
 * root (it has no bus). */
static int parent_at(const void *fdt, int node, int i)
{
	int parent = i >= 0 ? dt_parent_at(i) : dt_fast_parent(fdt, node);

	if (parent < 0) {
		tk_dt_err_begin(fdt, node);
		tk_dt_err_str("has no parent bus (root or bad node)");
		return -EINVAL;
	}
	return parent;
}

int tk_dt_parent_cells(const void *fdt, int node, uint32_t *acells, uint32_t *scells)
{
	int parent = parent_at(fdt, node, -1);

	/* asked once a CPU node (irq_affinity.c): no memo here */
	return parent < 0 ? parent : bus_cells_read(fdt, parent, acells, scells);
}

/* What tuple_check refuses, said. */
COLD static int tuple_err(const void *fdt, int node, const char *prop, int len, uint32_t ac,
			  uint32_t tuple_cells, uint32_t sc)
{
	if (ac == 0)
		return dt_prop_err(fdt, node, prop, "needs #address-cells >= 1", -EINVAL);
	dt_len_err(fdt, node, prop, len, "not a multiple of ");
	tk_dt_err_num(tuple_cells * 4, 10);
	tk_dt_err_str(" (#address-cells=");
	tk_dt_err_num(ac, 10);
	tk_dt_err_str(", #size-cells=");
	tk_dt_err_num(sc, 10);
	tk_dt_err_str(")");
	return -EINVAL;
}

/* A property of (ac + ... ) cell tuples must hold whole tuples. */
static inline int tuple_check(const void *fdt, int node, const char *prop, int len, uint32_t ac,
			      uint32_t tuple_cells, uint32_t sc)
{
	if (ac && (uint32_t)len % (tuple_cells * 4) == 0)
		return 0;
	return tuple_err(fdt, node, prop, len, ac, tuple_cells, sc);
}

/* "<node>: 'reg' 0xADDR+0xSIZE <why>" */
COLD static int region_err(const void *fdt, int node, const struct tk_dt_reg *r, const char *why,
		      int err)
{
	dt_prop_err(fdt, node, "reg", "", err);
	tk_dt_err_num(r->addr, 16);
	tk_dt_err_str("+");
	tk_dt_err_num(r->size, 16);
	tk_dt_err_str(why);
	return err;
}

/* Find the 'ranges' entry of bus that holds all of r and move r into the
 * address space of bus's parent (devicetree spec 2.3.8). For size, as
 * translate_up (below) that calls it. */
static FOR_SIZE int
map_range(const void *fdt, int node, int bus, int up, const uint8_t *p, int len,
	  struct tk_dt_reg *r)
{
	uint32_t cac, csc, pac, psc;
	int rc = bus_cells(fdt, bus, &cac, &csc);

	if (rc == 0)
		rc = bus_cells(fdt, up, &pac, &psc);
	if (rc == 0)
		rc = tuple_check(fdt, bus, "ranges", len, cac, cac + pac + csc, csc);
	if (rc)
		return rc;
	for (uint32_t e = 0; e < (uint32_t)len; e += (cac + pac + csc) * 4) {
		uint64_t child = dt_cells_val(p + e, cac);
		uint64_t parent = dt_cells_val(p + e + cac * 4, pac);
		uint64_t size = dt_cells_val(p + e + (cac + pac) * 4, csc);
		uint64_t off = r->addr - child;

		if (r->addr < child || off >= size || r->size > size - off)
			continue;
		if (off > UINT64_MAX - parent)
			return region_err(fdt, node, r, " overflows 64 bits through 'ranges'",
					  -EOVERFLOW);
		r->addr = parent + off;
		return 0;
	}
	region_err(fdt, node, r, " is outside every 'ranges' entry of ", -ENXIO);
	tk_dt_err_str(fdt_get_name(fdt, bus, NULL));
	return -ENXIO;
}

/* Translate r from the address space of bus up to the CPU's (the root's).
 * Out of line and for size: most devices sit on the root, and this loop
 * inlined made every tk_dt_reg save ten registers. */
static __attribute__((noinline)) FOR_SIZE int
translate_up(const void *fdt, int node, int bus, struct tk_dt_reg *r)
{
	for (;;) {
		const uint8_t *ranges;
		int len, rc, up;

		if (r->size > UINT64_MAX - r->addr)
			return region_err(fdt, node, r, " overflows 64 bits", -EOVERFLOW);
		/* A node at offset 0 is the root: the blob's first tag, as
		 * libfdt reads it (most devices are the root's children) */
		if (bus == 0)
			return 0;
		up = dt_fast_parent(fdt, bus);
		if (up < 0)
			return 0; /* bus is the root: CPU physical addresses */
		ranges = dt_getprop_hot(fdt, bus, DT_HOT_RANGES, &len);
		/* No 'ranges' means the bus is not memory-mapped at all. */
		if (!ranges) {
			region_err(fdt, node, r, " is not translatable: no 'ranges' in ", -ENXIO);
			tk_dt_err_str(fdt_get_name(fdt, bus, NULL));
			return -ENXIO;
		}
		if (len > 0) {
			rc = map_range(fdt, node, bus, up, ranges, len, r);
			if (rc)
				return rc;
		}
		bus = up;
	}
}

/* r from bus's space to the CPU's: nothing to do on the root (offset 0,
 * the blob's first tag) but the overflow check. */
static inline int translate(const void *fdt, int node, int bus, struct tk_dt_reg *r)
{
	if (bus == 0 && r->size <= UINT64_MAX - r->addr)
		return 0;
	return translate_up(fdt, node, bus, r);
}

int tk_dt_reg(const void *fdt, int node, struct tk_dt_reg *out, int max)
{
	uint32_t ac, sc;
	int len, n, rc;
	/* the node's index position once, for its parent and its reg (each
	 * device's reg is read at boot: QEMU's 32 virtio slots) */
	int pos = dt_index_of(fdt, node);
	int bus = parent_at(fdt, node, pos);
	const uint8_t *p;

	if (bus < 0)
		return bus;
	rc = bus_cells(fdt, bus, &ac, &sc);
	if (rc)
		return rc;
	p = dt_props_hot_at(fdt, pos, node, DT_HOT_REG, &len);
	if (!p) {
		dt_prop_failed(fdt, node, "reg", &len);
		return len;
	}
	rc = tuple_check(fdt, node, "reg", len, ac, ac + sc, sc);
	if (rc)
		return rc;
	n = len / (int)((ac + sc) * 4);
	if (n > max) {
		dt_len_err(fdt, node, "reg", len, "more entries than the ");
		tk_dt_err_num(max < 0 ? 0 : (uint64_t)max, 10);
		tk_dt_err_str(" expected");
		return -E2BIG;
	}
	for (int i = 0; i < n; i++, p += (ac + sc) * 4) {
		out[i].addr = dt_cells_val(p, ac);
		out[i].size = dt_cells_val(p + ac * 4, sc);
		rc = translate(fdt, node, bus, &out[i]);
		if (rc)
			return rc;
	}
	return n;
}
