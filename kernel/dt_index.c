/*
 * The devicetree's node index (tk_dt_index_build, see <takt/dt.h>): node
 * offsets in DT order with their parents and phandles, so that a parent, a
 * child, a phandle or a path is a search in arrays instead of a walk of the
 * blob from its start. Built once the blob has passed tk_dt_validate().
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include <takt/dt.h>

#include "dt_impl.h"

static const void *indexed_fdt;

bool dt_indexed(const void *fdt)
{
	return fdt && fdt == indexed_fdt;
}

/* ---- node index ------------------------------------------------------- */

/* The arrays are sized to the blob's nodes, DT_INDEX_NODE_BYTES a node with
 * dt_props.c's, in one block: from the heap (tk_dt_index_build), or for the
 * boot's first lookups a caller's buffer (dt_validate_index_in: early_boot's
 * stack) that dt_index_keep moves to the heap once there is one. A static
 * index for TK_DT_INDEX_MAX nodes was 10 KiB of every app's static RAM
 * (issue 18). */
static struct {
	const void *fdt;	/* the blob indexed, NULL if none */
	int n, cap;
	bool owned;		/* the block is malloc's */
	int32_t *off;		/* ascending: DT order */
	int32_t *parent;	/* the parent's position (not its offset); -1 for the root */
	uint32_t *phandle;	/* 0 when none */
} idx;

/* The nodes of the structure block (BEGIN_NODE tags), up to its FDT_END;
 * -EINVAL when it ends before. */
static int count_nodes(const void *fdt)
{
	const char *st = (const char *)fdt + fdt_off_dt_struct(fdt);
	uint32_t tag, size = fdt_size_dt_struct(fdt);
	int off = 0, next = 0, n = 0;

	if (fdt_version(fdt) < 0x10)
		return -EINVAL;
	do {
		tag = dt_next_tag_raw(st, size, off, &next);
		n += tag == FDT_BEGIN_NODE;
		off = next;
	} while (next >= 0 && tag != FDT_END);
	return next < 0 ? -EINVAL : n;
}

int dt_index_nodes(const void *fdt)
{
	int n = count_nodes(fdt);

	return n > TK_DT_INDEX_MAX ? -ENOSPC : n;
}

/* The block mem holds cap nodes. */
static void use(void *mem, int cap, bool owned)
{
	if (idx.owned && idx.off != mem)
		free(idx.off);
	idx.off = mem;
	idx.parent = idx.off + cap;
	idx.phandle = (uint32_t *)(idx.off + 2 * cap);
	dt_props_use(idx.phandle + cap);
	idx.cap = cap;
	idx.owned = owned;
}

/* dt_phandle_node's last answer for the indexed blob (phandle 0: none;
 * 0 is no node's phandle, so it is never looked up here). */
static struct {
	uint32_t ph;
	int node;
} phandle_memo;

static void forget(void)
{
	phandle_memo.ph = 0;
	idx.fdt = 0;
	idx.n = 0;
	indexed_fdt = 0;
	dt_reg_forget();
	dt_irq_forget();
	dt_props_reset();
}

void dt_index_drop(void)
{
	forget();
}

/* The index goes live for fdt: n nodes. */
static int commit(const void *fdt, int n)
{
	idx.n = n;
	idx.fdt = fdt;
	indexed_fdt = fdt;
	return n;
}

int dt_validate_index_in(const void *fdt, size_t bufsize, void *mem, size_t bytes, int *nodes)
{
	size_t cap = bytes / DT_INDEX_NODE_BYTES;

	forget();
	use(mem, (int)(cap > TK_DT_INDEX_MAX ? TK_DT_INDEX_MAX : cap), false);
	struct dt_index_arrays a = { idx.off, idx.parent, idx.phandle, 0, idx.cap };
	int rc = dt_validate_indexing(fdt, bufsize, &a);

	*nodes = rc ? rc : a.n < 0 ? -ENOSPC : commit(fdt, a.n);
	if (*nodes < 0)
		forget();
	return rc;
}

int dt_index_keep(void)
{
	if (!idx.fdt || idx.owned)
		return 0;
	size_t bytes = (size_t)idx.n * DT_INDEX_NODE_BYTES;
	void *p = malloc(bytes ? bytes : 1);

	if (!p) {
		forget();
		return -ENOMEM;
	}
	/* the same layout for n nodes: the parts move one by one */
	int32_t *off = p;

	memcpy(off, idx.off, (size_t)idx.n * sizeof(int32_t));
	memcpy(off + idx.n, idx.parent, (size_t)idx.n * sizeof(int32_t));
	memcpy(off + 2 * idx.n, idx.phandle, (size_t)idx.n * sizeof(uint32_t));
	dt_props_move((uint32_t *)(off + 2 * idx.n) + idx.n, idx.phandle + idx.cap, idx.n);
	use(p, idx.n, true);
	return 0;
}

/* The blob passed tk_dt_validate(). The arrays are taken anew when the
 * ones there are too small (count_nodes says how large). */
int tk_dt_index_build(const void *fdt)
{
	int nodes;

	forget();
	nodes = dt_index_nodes(fdt);
	if (nodes < 0)
		return nodes;
	if (nodes > idx.cap || !idx.owned) {
		void *p = malloc(nodes ? (size_t)nodes * DT_INDEX_NODE_BYTES : 1);

		if (!p)
			return -ENOMEM;
		use(p, nodes, true);
	}
	/* the walk that validates builds the index too (dt_validate.c): an
	 * index is never of a blob that walk refuses */
	struct dt_index_arrays a = { idx.off, idx.parent, idx.phandle, 0, nodes };
	int rc = dt_index_walk(fdt, &a);

	if (rc == 0)
		return commit(fdt, a.n);
	return rc == -ENOSPC ? rc : -EINVAL;	/* -EINVAL: not a validated blob */
}

/* Where dt_index_of found a node lately, by offset: direct-mapped, each
 * slot checked against idx.off before it is believed (so never reset). */
#define RECENT 64
static uint16_t recent[RECENT];
_Static_assert(TK_DT_INDEX_MAX <= UINT16_MAX, "positions fit recent[]");

/* Position i, remembered for its node; returns its offset. */
static int remember_off(int i)
{
	recent[((unsigned)idx.off[i] >> 2) % RECENT] = (uint16_t)i;
	return idx.off[i];
}

static int remember(int i)
{
	remember_off(i);
	return i;
}

/* Position of node in the index, or -1 when not indexed. The boot asks
 * about a few nodes many times running (a device, its bus, the root) and
 * walks the nodes in order (the walks remember what they return): the
 * recent answers and the root are tried before the binary search (which
 * was a tenth of the boot's instructions). */
int dt_index_of(const void *fdt, int node)
{
	int lo = 0, hi = idx.n - 1, r = recent[((unsigned)node >> 2) % RECENT];

	if (fdt != idx.fdt)
		return -1;
	if (r < idx.n && idx.off[r] == node)
		return r;
	if (idx.n && idx.off[0] == node)
		return 0;	/* the root */
	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (idx.off[mid] == node)
			return remember(mid);
		if (idx.off[mid] < node)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

int tk_dt_next_node(const void *fdt, int node)
{
	if (fdt == idx.fdt) {
		int i = node < 0 ? 0 : dt_index_of(fdt, node) + 1;

		if (i > 0 || node < 0)
			return i < idx.n ? remember_off(i) : -ENOENT;
	}
	node = fdt_next_node(fdt, node, 0);
	return node >= 0 ? node : -ENOENT;
}

int dt_nodes_next(struct dt_nodes *it)
{
	if (it->i == -1 && it->fdt != idx.fdt)
		it->i = -2;
	if (it->i == -2)
		return it->node = tk_dt_next_node(it->fdt, it->node);
	if (++it->i >= idx.n)
		return it->node = -ENOENT;
	return it->node = remember_off(it->i);	/* the probe asks about it next */
}

const void *dt_nodes_prop(const struct dt_nodes *it, enum dt_hot id, int *len)
{
	return dt_props_hot_at(it->fdt, it->i, it->node, id, len);	/* i < 0: not indexed */
}

/* libfdt's node-name rule: "name" matches "name" and, when it has no
 * unit address itself, "name@unit". */
static bool name_matches(const void *fdt, int node, const char *name, int len)
{
	/* An indexed node is in a blob validated whole (fdt_check_full): its
	 * name follows its BEGIN_NODE tag, NUL-terminated inside the structure
	 * block. Read there directly: fdt_get_name checks the tag again for
	 * every child compared (16k instructions for one miss among virt's 50
	 * root nodes). */
	const char *s = (const char *)fdt + fdt_off_dt_struct(fdt) + node + FDT_TAGSIZE;

	if (strncmp(s, name, (size_t)len))
		return false;
	return !s[len] || (s[len] == '@' && !memchr(name, '@', (size_t)len));
}

/* The first position from c on whose parent is position p and whose name
 * begins with first (any name when first is -1), or idx.n. A leaf loop, so
 * that nothing is kept on the stack across it. */
static __attribute__((noinline)) int child_from(const char *st, int c, int p, int first)
{
	const int32_t *par = idx.parent, *off = idx.off;

	for (; c < idx.n; c++)
		if (par[c] == p && (first < 0 || st[off[c]] == (char)first))
			return c;
	return idx.n;
}

int dt_sub_node(const void *fdt, int parent, const char *name, int len)
{
	const char *st = (const char *)fdt + fdt_off_dt_struct(fdt) + FDT_TAGSIZE;
	int i = dt_index_of(fdt, parent);

	if (i < 0)
		return fdt_subnode_offset_namelen(fdt, parent, name, len);
	/* the first byte before the call (name_matches needs it equal): QEMU's
	 * virt root has 50 children, and /chosen, /aliases, ... were a
	 * strncmp against each */
	for (int c = i; (c = child_from(st, c + 1, i, len > 0 ? (uint8_t)name[0] : -1)) < idx.n;)
		if (name_matches(fdt, idx.off[c], name, len))
			return remember_off(c);
	return -FDT_ERR_NOTFOUND;
}

int tk_dt_subnode(const void *fdt, int parent, const char *name)
{
	int node = name ? dt_sub_node(fdt, parent, name, (int)strlen(name)) : -FDT_ERR_NOTFOUND;

	return node >= 0 ? node : -ENOENT;
}

/* The child of the node at index position p after position i (p itself:
 * the first) whose record does not say hot property id is absent (id < 0:
 * any child); its offset, or -ENOENT. */
static inline int next_child_at(int p, int i, int id)
{
	for (i++; i < idx.n; i++)
		if (idx.parent[i] == p && (id < 0 || dt_props_at[i][id] != DT_PROP_ABSENT))
			return remember_off(i);
	return -ENOENT;
}

int tk_dt_next_child(const void *fdt, int parent, int prev)
{
	int p = dt_index_of(fdt, parent);
	int i = prev < 0 ? p : dt_index_of(fdt, prev);

	if (i < 0 || p < 0) {
		int n = prev < 0 ? fdt_first_subnode(fdt, parent) : fdt_next_subnode(fdt, prev);

		return n >= 0 ? n : -ENOENT;
	}
	return next_child_at(p, i, -1);
}

int dt_next_child_maybe_with(const void *fdt, int parent, int prev, const char *name)
{
	int id = dt_hot_id(name), p = dt_index_of(fdt, parent);
	int i = prev < 0 ? p : dt_index_of(fdt, prev);

	if (id < 0 || p < 0 || i < 0)
		return tk_dt_next_child(fdt, parent, prev);	/* each, to be asked */
	return next_child_at(p, i, id);
}

int dt_parent_at(int i)
{
	return idx.parent[i] >= 0 ? remember_off(idx.parent[i]) : -FDT_ERR_NOTFOUND;
}

int dt_fast_parent(const void *fdt, int node)
{
	int i = dt_index_of(fdt, node);

	return i >= 0 ? dt_parent_at(i) : fdt_parent_offset(fdt, node);
}

/* The node a phandle in node's property prop refers to; -ENXIO if none. */
int dt_phandle_node(const void *fdt, int node, const char *prop, uint32_t ph)
{
	int target = -FDT_ERR_NOTFOUND;

	/* Devices mostly name the same controller: the last answer is kept
	 * for the indexed blob, and forgotten with its index. It was once kept
	 * by address alone, across blobs: a new blob where a freed one had
	 * been (the dt fuzzer's inputs, one after another) got the old
	 * blob's node. */
	if (fdt == idx.fdt && fdt && ph && ph == phandle_memo.ph)
		return phandle_memo.node;
	if (fdt == idx.fdt) {
		for (int i = 0; i < idx.n && target < 0; i++)
			if (ph && idx.phandle[i] == ph)
				target = idx.off[i];
		if (target >= 0)
			phandle_memo.ph = ph, phandle_memo.node = target;
	} else {
		target = fdt_node_offset_by_phandle(fdt, ph);
	}

	if (target >= 0)
		return target;
	dt_prop_err(fdt, node, prop, "refers to phandle ", -ENXIO);
	tk_dt_err_num(ph, 16);
	tk_dt_err_str(", which no node has");
	return -ENXIO;
}

COLD static void err_int(int v)
{
	if (v < 0)
		tk_dt_err_str("-");
	tk_dt_err_num(v < 0 ? (uint64_t)-(int64_t)v : (uint64_t)v, 10);
}

int tk_dt_depth(const void *fdt, int node)
{
	int i = dt_index_of(fdt, node), depth = 0;

	if (i >= 0) {	/* the index's parents, not a walk from the blob's start */
		while ((i = idx.parent[i]) >= 0)
			depth++;
		return depth;
	}
	depth = fdt_node_depth(fdt, node);

	if (depth >= 0)
		return depth;
	tk_dt_err_begin(NULL, -1);
	tk_dt_err_str("no node at offset ");
	err_int(node);
	return -EINVAL;
}

/* The path from the index: its length first, then the names of the node
 * and its ancestors from the right, so nothing is moved after. The blob
 * passed tk_dt_validate (fdt_check_full), so each name follows its
 * BEGIN_NODE tag NUL-terminated inside the structure block: read there
 * (fdt_get_name checked each tag again; paths were 8 % of the boot). */
static int idx_path(const void *fdt, int node_i, char *buf, size_t len)
{
	const char *st = (const char *)fdt + fdt_off_dt_struct(fdt) + FDT_TAGSIZE;
	size_t pos = 0;

	for (int i = node_i; idx.parent[i] >= 0; i = idx.parent[i])
		pos += 1 + strlen(st + idx.off[i]);
	if (pos + 1 + !pos > len)	/* the NUL; the root alone is "/" */
		return -FDT_ERR_NOSPACE;
	if (pos == 0)
		buf[pos++] = '/';
	buf[pos] = 0;
	for (int i = node_i; idx.parent[i] >= 0; i = idx.parent[i]) {
		size_t n = strlen(st + idx.off[i]);

		pos -= n;
		memcpy(buf + pos, st + idx.off[i], n);
		buf[--pos] = '/';
	}
	return 0;
}

/* The path, or a libfdt error; sets no error text (tk_dt_last_error uses it). */
int dt_path_quiet(const void *fdt, int node, char *buf, size_t len)
{
	int i = dt_index_of(fdt, node);

	/* libfdt takes an int; no path is longer than the largest DTB. */
	return i >= 0 ? idx_path(fdt, i, buf, len)
		      : fdt_get_path(fdt, node, buf, (int)(len < TK_DT_MAX_SIZE ? len : TK_DT_MAX_SIZE));
}

int tk_dt_path(const void *fdt, int node, char *buf, size_t len)
{
	int rc = dt_path_quiet(fdt, node, buf, len);

	if (rc == 0)
		return 0;
	rc = dt_fdt_errno(rc);
	if (rc == -ENOSPC) {
		tk_dt_err_begin(fdt, node);
		tk_dt_err_str("path does not fit in ");
		tk_dt_err_num(len, 10);
		tk_dt_err_str(" bytes");
	} else {
		tk_dt_err_begin(NULL, -1);
		tk_dt_err_str("no node at offset ");
		err_int(node);
	}
	return rc;
}
