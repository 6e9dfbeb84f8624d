/*
 * Lookups in a blob that is neither validated nor indexed yet, for the
 * x86 boot's merges into the loader's DT: libfdt's lookups check every
 * tag again for every node and property they pass (fdt_path_offset was
 * 5.6k instructions of microvm's boot). One pass of dt_next_tag_raw
 * instead, bounded for any blob whose header passes libfdt's strict
 * check: names compared in place, inside the strings block.
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

int dt_raw_subnode(const void *fdt, int parent, const char *name)
{
	const char *st = (const char *)fdt + fdt_off_dt_struct(fdt);
	uint32_t tag, size;
	int off, next, depth = 0;

	if (!walkable(fdt))
		return -FDT_ERR_BADSTATE;
	size = fdt_size_dt_struct(fdt);
	if (parent < 0 || dt_next_tag_raw(st, size, parent, &next) != FDT_BEGIN_NODE || next < 0)
		return -FDT_ERR_BADOFFSET;
	for (off = next; (tag = dt_next_tag_raw(st, size, off, &next)) != FDT_END && next >= 0;
	     off = next) {
		if (tag == FDT_BEGIN_NODE && depth++ == 0 &&
		    dt_child_named(st + off + FDT_TAGSIZE, name))
			return off;
		if (tag == FDT_END_NODE && depth-- == 0)
			break;	/* parent's end */
	}
	return -FDT_ERR_NOTFOUND;
}
