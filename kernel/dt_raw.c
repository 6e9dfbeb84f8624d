/*
 * Lookups in a blob that is neither validated nor indexed yet, for the
 * x86 boot's TSC calibration: libfdt's fdt_node_offset_by_compatible and
 * fdt_getprop check every tag again for every node and property they pass
 * (15k instructions for the LAPIC's clock on microvm's DT, inside the
 * calibration's window, which they made longer). One pass of
 * dt_next_tag_raw instead, bounded for any blob whose header passes
 * libfdt's strict check: names compared in place, inside the strings block.
 * The answers are libfdt's (tests/unit/test_dt_raw.c, the dt fuzzer).
 * The same pass reads the properties the node index does not record
 * (dt_props.c): fdt_getprop was 900 instructions a lookup there.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <libfdt.h>

#include "dt_impl.h"


/* Version 17 (the structure block's size is in the header) and a header
 * libfdt's strict check accepts: the blocks lie inside the blob. */
static bool walkable(const void *fdt)
{
	return dt_check_header(fdt) == 0 && fdt_version(fdt) >= 17;
}

/* The first property named name among those that follow node's BEGIN_NODE
 * tag (what fdt_getprop reads: the node's own, NOPs between them skipped).
 * @retval its value, *len its length; NULL, *len -FDT_ERR_NOTFOUND */
static const void *prop_after(const void *fdt, int node, const char *name, int *len)
{
	const char *st = (const char *)fdt + fdt_off_dt_struct(fdt);
	uint32_t tag, size = fdt_size_dt_struct(fdt);
	size_t n = strlen(name);
	int off = node, next;

	*len = -FDT_ERR_NOTFOUND;
	tag = dt_next_tag_raw(st, size, off, &next);
	if (tag != FDT_BEGIN_NODE || next < 0)
		return NULL;
	for (off = next; (tag = dt_next_tag_raw(st, size, off, &next)) == FDT_PROP ||
			 tag == FDT_NOP; off = next) {
		if (next < 0)
			return NULL;	/* runs past the block */
		if (tag == FDT_PROP && dt_name_is(fdt, dt_be32((const uint8_t *)st + off + 8), name, n)) {
			*len = (int)dt_be32((const uint8_t *)st + off + 4);
			return st + off + 12;
		}
	}
	return NULL;
}

int dt_raw_find_compatible(const void *fdt, const char *compat)
{
	const char *st = (const char *)fdt + fdt_off_dt_struct(fdt);
	uint32_t tag, size;
	int off = 0, next = 0;

	if (!walkable(fdt))
		return -FDT_ERR_BADSTATE;
	size = fdt_size_dt_struct(fdt);
	do {
		tag = dt_next_tag_raw(st, size, off, &next);
		if (tag == FDT_BEGIN_NODE && next >= 0) {
			int len;
			const char *list = prop_after(fdt, off, "compatible", &len);

			if (list && fdt_stringlist_contains(list, len, compat))
				return off;
		}
		off = next;
	} while (next >= 0 && tag != FDT_END);
	return -FDT_ERR_NOTFOUND;
}

const void *dt_raw_node_prop(const void *fdt, int node, const char *name, int *len)
{
	int n;
	const void *p = prop_after(fdt, node, name, &n);

	if (len)
		*len = n;
	return p;
}

const void *dt_raw_getprop(const void *fdt, int node, const char *name, int *len)
{
	if (!walkable(fdt) || node < 0) {
		*len = -FDT_ERR_BADSTATE;
		return NULL;
	}
	return prop_after(fdt, node, name, len);
}

/* One cell of value want, or absent where dflt (libfdt's default) is want. */
static bool root_cell_is(const void *fdt, const char *name, uint32_t dflt, uint32_t want)
{
	int len;
	const uint8_t *p = prop_after(fdt, 0, name, &len);

	return p ? len == 4 && dt_be32(p) == want : dflt == want;
}

bool dt_raw_root_cells_are(const void *fdt, uint32_t ac, uint32_t sc)
{
	return walkable(fdt) && root_cell_is(fdt, "#address-cells", 2, ac) &&
	       root_cell_is(fdt, "#size-cells", 1, sc);
}
