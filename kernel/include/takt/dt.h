/*
 * Checked devicetree access.
 *
 * Everything the kernel and the drivers learn about the hardware comes from
 * the DTB, and a DTB is input we did not write: a boot loader may pass a
 * stale, truncated or hand-edited one. So the blob is validated once
 * (tk_dt_validate) and every later read goes through a checked accessor that
 * returns a negative errno instead of trusting lengths and cell counts.
 * Every failure also leaves a human sentence in tk_dt_last_error() naming the
 * node and the property, so that a boot panic can say what is wrong.
 *
 * Node arguments are libfdt node offsets (0 is the root). All functions may
 * be called only during single-threaded boot and from driver probe.
 */
#ifndef TAKT_DT_H
#define TAKT_DT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TK_DT_MAX_SIZE (2u << 20) /* largest DTB we accept */
#define TK_DT_MAX_IRQ_CELLS 4

/* One 'reg' entry, translated to a CPU physical address. */
struct tk_dt_reg {
	uint64_t addr, size;
};

/* One interrupt specifier: the controller it belongs to and its raw cells. */
struct tk_dt_irq {
	int parent; /* node offset of the interrupt controller */
	uint32_t ncells;
	uint32_t cells[TK_DT_MAX_IRQ_CELLS];
};

/*
 * Validate a blob before anything else reads it.
 * @bufsize bytes known readable at fdt (SIZE_MAX when unknown; capped at
 *          TK_DT_MAX_SIZE).
 * @retval 0 the header and the whole structure block are sound
 * @retval -EFAULT fdt NULL or not 8-byte aligned (devicetree spec 5.1, arm64
 *         boot protocol, and libfdt >= 1.6 all require 8)
 * @retval -EBADMSG bad magic/version/header, buffer smaller than a header, a
 *         reservation map without its end, or a structure block that
 *         libfdt's fdt_check_full refuses (truncated, garbled, nodes not
 *         nested or closed, a property name outside the strings block), or
 *         a '/' in a node name or a property outside any node
 *         (kernel/dt_validate.c says how it walks the block)
 * @retval -E2BIG totalsize > bufsize or > TK_DT_MAX_SIZE
 */
int tk_dt_validate(const void *fdt, size_t bufsize);

/*
 * Text of the last failure reported by any tk_dt_* / tk_memmap_*_dt call,
 * naming node path and property. One static buffer (boot is single-threaded),
 * valid until the next failure. Never NULL.
 */
const char *tk_dt_last_error(void);

/* Start a new tk_dt_last_error() text "<path of node>: " (node < 0: no
 * prefix) and append to it; for code that reports DT-related failures
 * (memory map, device model, drivers' probe). */
void tk_dt_err_begin(const void *fdt, int node);
void tk_dt_err_str(const char *s);
void tk_dt_err_num(uint64_t v, unsigned int base); /* base 10 or 16 (0x...) */
/* "<c0 c1 ...>": an interrupt specifier's n cells, in decimal (an
 * interrupt controller's xlate naming the one it refuses). */
void tk_dt_err_cells(const uint32_t *c, uint32_t n);

/* @retval 0, -ENOENT missing, -EINVAL length != 4 */
int tk_dt_prop_u32(const void *fdt, int node, const char *name, uint32_t *out);
/* @retval 0, -ENOENT missing, -EINVAL length not 4 or 8 */
int tk_dt_prop_u64(const void *fdt, int node, const char *name, uint64_t *out);
/* @retval 0, -ENOENT missing, -EINVAL empty or not NUL-terminated within its length */
int tk_dt_prop_str(const void *fdt, int node, const char *name, const char **out);

/* The node the first cell of a phandle list (clocks = <&aux 0>) names.
 * @retval 0, -ENOENT missing, -EINVAL not whole cells, -ENXIO no node has
 *         that phandle */
int tk_dt_prop_phandle(const void *fdt, int node, const char *name, int *target);
/* True when the property exists (a boolean such as interrupt-controller). */
bool tk_dt_prop_bool(const void *fdt, int node, const char *name);

/* True when 'status' is absent, "okay" or "ok". */
bool tk_dt_node_enabled(const void *fdt, int node);

/* @retval index of compat in the node's 'compatible' list, -ENOENT absent,
 *         -EINVAL list not NUL-terminated */
int tk_dt_compat_index(const void *fdt, int node, const char *compat);

/* Node for a path or an alias, accepting stdout-path's "serial0:115200n8" /
 * "/pl011@9000000:115200" form (options after ':' ignored).
 * @retval node offset, -ENOENT no such node, -EINVAL path_or_alias NULL */
int tk_dt_find_node(const void *fdt, const char *path_or_alias);

/* The console node /chosen/stdout-path names.
 * @retval node offset, -ENOENT the DT names no console (no stdout-path),
 *         -ENODEV stdout-path names no node (tk_dt_last_error says which) */
int tk_dt_stdout_node(const void *fdt);

/* Cells of node's parent: #address-cells (default 2) / #size-cells (default 1).
 * @retval 0, -EINVAL a cell count > 2 (we handle up to 64 bits) or malformed,
 *         or node is the root (it has no parent) */
int tk_dt_parent_cells(const void *fdt, int node, uint32_t *acells, uint32_t *scells);

/*
 * Node's 'reg' entries, each translated to a CPU physical address through
 * every ancestor's 'ranges' (empty ranges = identity).
 * @retval number of entries written (<= max)
 * @retval -ENOENT no 'reg'
 * @retval -EINVAL reg length not a multiple of (acells+scells)*4, bad cells
 * @retval -ENXIO a non-root ancestor has no 'ranges', or the region lies
 *         outside every range entry
 * @retval -EOVERFLOW address + size overflows 64 bits
 * @retval -E2BIG more entries than max
 */
int tk_dt_reg(const void *fdt, int node, struct tk_dt_reg *out, int max);

/*
 * Node's interrupts: 'interrupts-extended' (phandle + cells per entry) when
 * present, else 'interrupts' with the parent from 'interrupt-parent' of the
 * node or its nearest ancestor having one.
 * @retval number of entries written (<= max)
 * @retval -ENOENT the node has no interrupts
 * @retval -ENXIO no interrupt-parent anywhere, or a dangling phandle
 * @retval -EINVAL parent without 'interrupt-controller', '#interrupt-cells'
 *         outside 1..TK_DT_MAX_IRQ_CELLS, or a length not a multiple
 * @retval -E2BIG more entries than max
 */
int tk_dt_irqs(const void *fdt, int node, struct tk_dt_irq *out, int max);

/* Depth of a node (root = 0), for level-ordered probing. @retval >= 0, -EINVAL */
int tk_dt_depth(const void *fdt, int node);

/* Node index. libfdt finds a node's parent or a phandle's node by walking
 * the blob from the start (a DT walk costs ~1000 instructions a node), so
 * the kernel builds this index in one walk after validation; parent and
 * path lookups then cost a binary search. Optional: without it, or for a
 * DTB with more than TK_DT_INDEX_MAX nodes, lookups fall back to libfdt.
 * Its arrays (40 bytes a node) come from malloc, sized to the blob.
 * @retval number of nodes indexed, -ENOSPC when too many, -ENOMEM no room
 *         for the arrays, -EINVAL a truncated structure block (index unused) */
#define TK_DT_INDEX_MAX 256
int tk_dt_index_build(const void *fdt);
/* Next node in DT order after node (-1 = first), via the index when built;
 * -ENOENT at the end. */
int tk_dt_next_node(const void *fdt, int node);
/* Child of parent named name ("name" also matches "name@unit"); -ENOENT. */
int tk_dt_subnode(const void *fdt, int parent, const char *name);
/* Children of parent in order: prev = -1 for the first; -ENOENT at the end. */
int tk_dt_next_child(const void *fdt, int parent, int prev);

/* The node's full path into buf. @retval 0, -ENOSPC buf too small, -EINVAL */
int tk_dt_path(const void *fdt, int node, char *buf, size_t len);

#endif /* TAKT_DT_H */
