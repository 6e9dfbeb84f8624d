/*
 * Private helpers of the checked DT layer, shared by dt.c (properties,
 * paths, reg, the node index) and dt_irq.c (phandles, interrupts).
 */
#ifndef TAKT_DT_IMPL_H
#define TAKT_DT_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <libfdt.h>

/* The image's libfdt trusts its input, so blobs from outside are checked
 * first with the strict copy of libfdt's header check (dt_validate.c,
 * dt_raw.c); host builds have libfdt's own. */
#ifdef TAKT_LIBFDT_STRICT
int fdt_check_header_strict(const void *fdt);
#define dt_check_header fdt_check_header_strict
#else
#define dt_check_header fdt_check_header
#endif

/* The name at nameoff of fdt's strings block is want (n = strlen(want)),
 * compared in place and bounded by the block (whose place the header check
 * vouched for): fdt_string's checks and NUL search cost 90 instructions a
 * name. Its length first (the NUL where want's is): most names met are
 * not want, and x86's C-library memcmp goes a byte at a time. Out of the
 * block: not it. */
static inline bool dt_name_is(const void *fdt, uint32_t nameoff, const char *want, size_t n)
{
	uint32_t size = fdt_size_dt_strings(fdt);

	if (nameoff >= size || n >= size - nameoff)
		return false;
	const char *s = (const char *)fdt + fdt_off_dt_strings(fdt) + nameoff;

	return !s[n] && !memcmp(s, want, n);
}

/* A string in the image's read-only data (a string literal) cannot change:
 * a name seen before needs no compare, a name in an error text no copy.
 * The image build defines TAKT_LIBFDT_STRICT (cmake/takt.cmake) and the
 * linker scripts _etext and _erodata around .rodata; host builds say no. */
static inline bool dt_immutable(const char *s)
{
#ifdef TAKT_LIBFDT_STRICT
	extern const char _etext[], _erodata[];

	return (uintptr_t)s >= (uintptr_t)_etext && (uintptr_t)s < (uintptr_t)_erodata;
#else
	(void)s;
	return false;
#endif
}

/* Failure reporting is off every good path: keep it out of line and small. */
#define COLD __attribute__((cold, noinline))

/* "<node>: '<prop>' <what>" as the last error text; returns err. */
COLD int dt_prop_err(const void *fdt, int node, const char *prop, const char *what, int err);
/* "<node>: '<prop>' is <len> bytes, <what>"; returns -EINVAL. */
COLD int dt_len_err(const void *fdt, int node, const char *prop, int len, const char *what);
/* The property's bytes, or NULL with *len = -ENOENT (absent) or another
 * negative errno (unreadable, error text set). */
const uint8_t *dt_get_prop(const void *fdt, int node, const char *name, int *len);
/* dt_get_prop's failure: *len from dt_getprop's NULL made an errno, with
 * its error text. */
COLD void dt_prop_failed(const void *fdt, int node, const char *name, int *len);
/* A big-endian cell, from any alignment; n (<= 2) cells as one value.
 * Inline: every tag and cell of the boot's walks goes through it. */
static inline uint32_t dt_be32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	/* the byte swap itself, not libfdt's fdt32_to_cpu: in a file built
	 * for size (-Os) that was a call per tag and cell */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_bswap32(v);
#else
	return v;
#endif
}
static inline uint32_t size_min(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* The length of the node name at s, up to its NUL (max: none in the max
 * bytes there), setting *slash when a '/' comes before it: eight bytes a
 * step, little-endian (x86_64 and arm64). The zero-byte test's lowest set
 * bit is exact for the first such byte, so the first NUL and the first '/'
 * of a step are found without a byte loop (only the block's last bytes,
 * fewer than eight, go a byte at a time). strnlen and then strchrnul over
 * each name were 86 instructions a node, a sixth of the validating walk. */
static inline uint32_t dt_name_scan(const char *s, uint32_t max, bool *slash)
{
	const uint64_t ones = 0x0101010101010101ull, highs = ones << 7, slashes = ones * '/';
	uint32_t i = 0;

	for (; max - i >= 8; i += 8) {
		uint64_t w, x, z, sl;

		memcpy(&w, s + i, 8);
		x = w ^ slashes;
		z = (w - ones) & ~w & highs;
		sl = (x - ones) & ~x & highs;
		if (sl && (!z || __builtin_ctzll(sl) < __builtin_ctzll(z)))
			*slash = true;
		if (z)
			return i + (uint32_t)(__builtin_ctzll(z) >> 3);
	}
	for (; i < max && s[i]; i++)
		if (s[i] == '/')
			*slash = true;
	return i;
}

/* The tag at off in the structure block st (size bytes), and where the
 * next one starts: read without the bounds checks fdt_next_tag makes on
 * every tag (half of the index build's instructions were those checks).
 * Bounded all the same, for any blob whose header passed: -1 in *next past
 * the block, and a property length that runs past it (or would wrap, as
 * libfdt's own walk does, looping for ever) ends there too. Version 16 and
 * later only (a large property of an older blob is 8-byte aligned). With
 * slash, a BEGIN_NODE's name is scanned eight bytes a step and a '/' in it
 * sets *slash (the validating walk); without (NULL), strnlen finds its end:
 * one call, where the scan inlined in every walk was a KiB of each image. */
static inline uint32_t dt_next_tag_named(const char *st, uint32_t size, int off, int *next,
					 bool *slash)
{
	uint32_t tag, n = (uint32_t)off + FDT_TAGSIZE;

	if (n > size) {
		*next = -1;
		return FDT_END;
	}
	tag = dt_be32((const uint8_t *)st + off);
	if (tag == FDT_BEGIN_NODE)
		n += (slash ? dt_name_scan(st + n, size - n, slash)
			    : (uint32_t)strnlen(st + n, size - n)) + 1;
	else if (tag == FDT_PROP)
		n = n + 8 > size ? size + 1 : n + 8 + size_min(dt_be32((const uint8_t *)st + n),
							     size - (n + 8) + 1);
	n = (n + FDT_TAGSIZE - 1) & ~(uint32_t)(FDT_TAGSIZE - 1);	/* libfdt_internal.h's FDT_TAGALIGN */
	*next = n <= size ? (int)n : -1;
	return tag;
}

static inline uint32_t dt_next_tag_raw(const char *st, uint32_t size, int off, int *next)
{
	return dt_next_tag_named(st, size, off, next, NULL);
}

/* n cells (0..2 where it matters; more keep the low 64 bits) as one
 * value. Inline: two a reg entry, on every device's and every bus's way. */
static inline uint64_t dt_cells_val(const uint8_t *p, uint32_t n)
{
	uint64_t v = 0;

	/* the usual counts without the loop: one or two loads, no branch back */
	if (n == 2)
		return (uint64_t)dt_be32(p) << 32 | dt_be32(p + 4);
	if (n == 1)
		return dt_be32(p);

	for (uint32_t i = 0; i < n; i++)
		v = (v << 32) | dt_be32(p + 4 * i);
	return v;
}
/* dt_raw.c: for a blob neither validated nor indexed (x86's merges into
 * the loader's DT) whose header's totalsize bytes are readable, what
 * fdt_getprop gives on a valid blob, in one raw pass; -FDT_ERR_BADSTATE
 * when its header fails fdt_check_header or is older than version 17,
 * -FDT_ERR_NOTFOUND (never a read outside the blob) for anything else
 * amiss. */
const void *dt_raw_getprop(const void *fdt, int node, const char *name, int *len);
/* The root's #address-cells and #size-cells are ac and sc (absent: libfdt's
 * 2 and 1), for such a blob: fdt_address_cells and fdt_size_cells' answer,
 * in one raw pass each, without their tag checks (4k instructions of
 * microvm's boot). */
bool dt_raw_root_cells_are(const void *fdt, uint32_t ac, uint32_t sc);
/* fdt_subnode_offset(fdt, parent, name) for such a blob, in one raw pass
 * over parent's children (x86's merges into the loader's DT: libfdt's
 * path lookups were 5.6k instructions of microvm's boot); a header libfdt
 * refuses is -FDT_ERR_BADSTATE, a parent that is no node -FDT_ERR_BADOFFSET. */
int dt_raw_subnode(const void *fdt, int parent, const char *name);
/* libfdt's rule for a child's name (fdt_subnode_offset): equal, or want
 * has no unit address and name is want@something; name's NUL is known to
 * be inside the blob. */
static inline bool dt_child_named(const char *name, const char *want)
{
	/* the first bytes before the lengths: most children are not it */
	if (!want[0] || name[0] != want[0])
		return false;
	size_t n = strlen(want);

	return !strncmp(name, want, n) &&
	       (name[n] == 0 || (name[n] == '@' && !memchr(want, '@', n)));
}
/* The same for a node of the indexed blob (validated: no header check);
 * len may be NULL. */
const void *dt_raw_node_prop(const void *fdt, int node, const char *name, int *len);
/* libfdt's error codes as the errno values of the contracts. */
int dt_fdt_errno(int err);
/* Forget the bus cells remembered for the indexed blob (a new index). */
void dt_reg_forget(void);
/* dt_irq.c: forget the interrupt controller remembered for the index. */
void dt_irq_forget(void);
/* True when fdt is the blob the node index was built for (so immutable). */
bool dt_indexed(const void *fdt);
/* dt_index.c: the child of parent named name[0..len) (unit address
 * optional), or a negative libfdt error; the node's path without touching
 * the error text. */
int dt_sub_node(const void *fdt, int parent, const char *name, int len);
int dt_path_quiet(const void *fdt, int node, char *buf, size_t len);
/* The node's position in the index, -1 when fdt is not indexed or has no
 * node there. */
int dt_index_of(const void *fdt, int node);
/* dt_props.c: fdt_getprop, from the index's record of where the boot's
 * common properties are when the node is indexed. */
const void *dt_getprop(const void *fdt, int node, const char *name, int *len);
/* Building the index: a new blob (reset), indexed node i begins, and the
 * property at off belongs to node i at offset node (returns its value when
 * it is a 4-byte "phandle", else 0). begin and note run for every node and
 * property of the blob: inline, with what a name not met before needs
 * (dt_props_name_new) out of line. */
void dt_props_reset(void);
/* The hot properties: the names the boot reads of many nodes, each a
 * column of the index's per-node record (dt_props.c). "phandle" last:
 * DT_PROP_PHANDLE. */
#define DT_HOT_NAMES(X)                                                                \
	X(COMPATIBLE, "compatible") X(STATUS, "status") X(REG, "reg")                  \
	X(DEVICE_TYPE, "device_type") X(INTERRUPTS, "interrupts")                      \
	X(INTERRUPT_PARENT, "interrupt-parent")                                        \
	X(INTERRUPTS_EXTENDED, "interrupts-extended")                                  \
	X(ADDRESS_CELLS, "#address-cells") X(SIZE_CELLS, "#size-cells")                \
	X(RANGES, "ranges") X(INTERRUPT_CONTROLLER, "interrupt-controller")            \
	X(INTERRUPT_CELLS, "#interrupt-cells") X(INTERRUPT_AFFINITY, "interrupt-affinity") \
	X(PHANDLE, "phandle")
#define DT_HOT_ENUM(e, s) DT_HOT_##e,
enum dt_hot { DT_HOT_NAMES(DT_HOT_ENUM) DT_HOT_PROPS };
/* The index's per-node record of the hot properties: at mem (n nodes of
 * DT_HOT_PROPS uint16_t, dt_index.c's block); n of them copied to a new
 * block. */
void dt_props_use(void *mem);
void dt_props_move(void *to, const void *from, int n);
/* The index's bytes a node (offset, parent, phandle, hot properties). */
#define DT_INDEX_NODE_BYTES (3 * 4 + DT_HOT_PROPS * 2)
/* The nodes to index (-ENOSPC above TK_DT_INDEX_MAX, -EINVAL a truncated
 * blob). The boot's blobs: tk_dt_validate(fdt, bufsize)'s verdict, and in
 * the same walk the index in a caller's buffer of bytes (*nodes: the
 * nodes, or -ENOSPC: more than it holds, or the verdict when not 0; no
 * index then), then moved to the heap before the buffer goes (0; -ENOMEM:
 * no room, the index dropped, lookups walk the blob). */
int dt_index_nodes(const void *fdt);
int dt_validate_index_in(const void *fdt, size_t bufsize, void *mem, size_t bytes, int *nodes);
int dt_index_keep(void);
/* No index from here on (a caller's buffer is about to go): lookups walk. */
void dt_index_drop(void);
/* dt_props.c's tables, for the inline begin and note below: per indexed
 * node the hot properties' offsets from the node's (ABSENT, or FAR when
 * too far to keep: ask libfdt); per name offset in the strings block seen
 * so far, its hot id (-1: not hot), open addressing on the offset. */
#define DT_PROP_ABSENT 0	/* a property is never at its node's own offset */
#define DT_PROP_FAR 0xffff
#define DT_PROPS_NAMES 128
#define DT_PROP_PHANDLE DT_HOT_PHANDLE
extern uint16_t (*dt_props_at)[DT_HOT_PROPS];
extern struct dt_props_names {
	int32_t nameoff_1[DT_PROPS_NAMES];	/* nameoff + 1; 0: free */
	int8_t id[DT_PROPS_NAMES];
} dt_props_names;
/* The hot id of the name at nameoff, not found at its first probe slot. */
int dt_props_name_new(const void *fdt, int32_t nameoff, unsigned slot);

static inline unsigned dt_props_slot(int32_t nameoff)
{
	return ((uint32_t)nameoff * 2654435761u) >> 25;	/* 7 bits: DT_PROPS_NAMES */
}

/* Node i's row of dt_props_at, cleared: the walk keeps it while inside
 * the node. */
static inline uint16_t *dt_props_begin(int i)
{
	memset(dt_props_at[i], 0, sizeof(dt_props_at[i]));
	return dt_props_at[i];
}

/* prop: the property at off, in the validated blob (its header is there),
 * inside the node at offset node whose row is at. */
static inline uint32_t dt_props_note(const void *fdt, uint16_t *at, int node, int off,
				     const void *prop)
{
	const struct fdt_property *pr = prop;
	int32_t nameoff = (int32_t)dt_be32((const uint8_t *)&pr->nameoff);
	unsigned h = dt_props_slot(nameoff);
	int id = dt_props_names.nameoff_1[h] == nameoff + 1 ? dt_props_names.id[h]
							   : dt_props_name_new(fdt, nameoff, h);

	if (id < 0 || at[id] != DT_PROP_ABSENT)
		return 0;	/* the first of two same-named ones wins */
	at[id] = off - node < DT_PROP_FAR ? (uint16_t)(off - node) : DT_PROP_FAR;
	if (id == DT_PROP_PHANDLE && dt_be32((const uint8_t *)&pr->len) == 4)
		return dt_be32((const uint8_t *)pr->data);
	return 0;
}

/* The hot id of a property name (its column in dt_props_at), -1 if none. */
int dt_hot_id(const char *name);
/* dt_getprop for hot property id (its name: dt_hot_name), without finding
 * the id from the name: the kernel's own lookups of the boot's common
 * properties (the name cache is keyed by the literal's address, so which
 * of those collided moved with the string layout of unrelated code). */
const void *dt_getprop_hot(const void *fdt, int node, enum dt_hot id, int *len);
const char *dt_hot_name(enum dt_hot id);
/* Hot property id of the node at position i of the indexed blob fdt, at
 * offset node (i < 0: a node not indexed, read with libfdt): dt_getprop's
 * answer without the lookups by offset and by name. */
const void *dt_props_hot_at(const void *fdt, int i, int node, enum dt_hot id, int *len);
/* Every node of fdt in DT order (tk_dt_next_node's), by index position
 * when fdt is indexed, so that a walk reading hot properties of each (the
 * device probe) needs no lookup of the node: it->node is the node, or
 * -ENOENT past the last. Start with DT_NODES(fdt); the index must not be
 * rebuilt or dropped during the walk (the probe binds after it). */
struct dt_nodes {
	const void *fdt;
	int i;		/* the index position; -2: fdt not indexed */
	int node;
};
#define DT_NODES(fdt) ((struct dt_nodes){ (fdt), -1, -1 })
int dt_nodes_next(struct dt_nodes *it);
/* The current node's hot property id (dt_getprop's answer). */
const void *dt_nodes_prop(const struct dt_nodes *it, enum dt_hot id, int *len);
/* A 'status' value (s and len as dt_getprop gives them) that leaves the
 * node enabled: absent, "okay" or "ok" (tk_dt_node_enabled). */
bool dt_status_enabled(const char *s, int len);
/* tk_dt_next_child, skipping children known not to have property name:
 * on an indexed blob and a hot name, from the index's record, not a lookup
 * a child (the /memory nodes among virt's 50 root children); else every
 * child. The caller still reads the property. */
int dt_next_child_maybe_with(const void *fdt, int parent, int prev, const char *name);
/* The node's parent through the index when built; a libfdt error when none.
 * dt_parent_at: the same for the node at index position i. */
int dt_fast_parent(const void *fdt, int node);
int dt_parent_at(int i);
/* The node a phandle in node's property prop refers to; -ENXIO (error text
 * naming prop and the phandle) if none. */
int dt_phandle_node(const void *fdt, int node, const char *prop, uint32_t ph);

/* The node index's arrays (dt_index.c's block) as a walk fills them: n of
 * cap nodes, at most DT_INDEX_DEPTH deep. */
#define DT_INDEX_DEPTH 64
struct dt_index_arrays {
	int32_t *off;		/* ascending: DT order */
	int32_t *parent;	/* the parent's position (not its offset); -1 for the root */
	uint32_t *phandle;	/* 0 when none */
	int n, cap;
};
/* dt_validate.c: tk_dt_validate, building the index into ix in the same
 * walk (ix->n = -1: it did not fit, the verdict is from a second walk).
 * dt_index_walk: the index of a blob that passed tk_dt_validate, by the
 * same walk (-ENOSPC: does not fit; -EBADMSG: not a validated blob). */
int dt_validate_indexing(const void *fdt, size_t bufsize, struct dt_index_arrays *ix);
int dt_index_walk(const void *fdt, struct dt_index_arrays *ix);

#endif
