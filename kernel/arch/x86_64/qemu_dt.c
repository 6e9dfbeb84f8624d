/*
 * The virtio-mmio slots of QEMU's microvm DT, merged into the kernel's DT
 * copy (see qemu_dt.h). Pure: built as it is by the host unit tests.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <libfdt.h>
#include <takt/dt.h>

#include "dt_impl.h"
#include "qemu_dt.h"

#define NAME_MAX_LEN	64
#define BUILTIN_MAX	64	/* virtio,mmio nodes in the kernel's own DT */

struct slot {
	char name[NAME_MAX_LEN], parent[NAME_MAX_LEN];
	uint64_t addr, size;
	uint32_t pin, parent_phandle;
	int mine, parent_node;	/* in the kernel's DT: same-named node, parent; or -1 */
	void *in_place[3];	/* mine's reg, interrupt-parent, interrupts (slot_shaped) */
};

static int fail(const void *fdt, int node, const char *what, int err)
{
	tk_dt_err_begin(fdt, node);
	tk_dt_err_str(what);
	return err;
}

int qemu_fdt_prefix(const void *hdr, size_t hdr_len, uint64_t file_size, size_t bufmax,
		    size_t *need)
{
	if (!hdr || hdr_len < sizeof(struct fdt_header) || fdt_magic(hdr) != FDT_MAGIC ||
	    fdt_version(hdr) < 17)
		return fail(NULL, -1, "QEMU's etc/fdt: bad header (magic or version)", -EBADMSG);
	uint64_t total = fdt_totalsize(hdr);
	uint64_t end = sizeof(struct fdt_header);
	uint64_t e[3] = {
		(uint64_t)fdt_off_mem_rsvmap(hdr) + sizeof(struct fdt_reserve_entry),
		(uint64_t)fdt_off_dt_struct(hdr) + fdt_size_dt_struct(hdr),
		(uint64_t)fdt_off_dt_strings(hdr) + fdt_size_dt_strings(hdr),
	};

	for (int i = 0; i < 3; i++)
		end = e[i] > end ? e[i] : end;
	if (total > file_size || end > total)
		return fail(NULL, -1, "QEMU's etc/fdt: blocks past totalsize or the file", -EBADMSG);
	if (end > bufmax)
		return fail(NULL, -1, "QEMU's etc/fdt: larger than the buffer for it", -E2BIG);
	*need = (size_t)end;
	return 0;
}

/* A node name copied into buf, or false when empty or too long. */
static bool copy_name(const void *fdt, int node, char *buf)
{
	int len;
	const char *name = fdt_get_name(fdt, node, &len);

	if (!name || len <= 0 || len >= NAME_MAX_LEN)
		return false;
	memcpy(buf, name, (size_t)len);
	buf[len] = 0;
	return true;
}

/* One slot of QEMU's blob, checked. */
static int read_slot(const void *q, int node, struct slot *s)
{
	struct tk_dt_reg reg[2];
	struct tk_dt_irq irq[2];
	int n;

	if (tk_dt_depth(q, node) != 1)
		return fail(q, node, "virtio,mmio slot is not a child of the root", -EINVAL);
	if (!copy_name(q, node, s->name))
		return fail(q, node, "virtio,mmio slot name empty or too long", -EINVAL);
	n = tk_dt_reg(q, node, reg, 2);
	if (n != 1 || reg[0].size == 0)
		return n < 0 ? n : fail(q, node, "virtio,mmio slot needs exactly one non-empty reg",
					-EINVAL);
	s->addr = reg[0].addr;
	s->size = reg[0].size;
	n = tk_dt_irqs(q, node, irq, 2);
	if (n != 1 || irq[0].ncells != 2)
		return n < 0 ? n : fail(q, node, "virtio,mmio slot needs one <pin type> interrupt",
					-EINVAL);
	s->pin = irq[0].cells[0];
	if (!copy_name(q, irq[0].parent, s->parent))
		s->parent[0] = 0;	/* matches no node: -ENXIO below */
	s->mine = s->parent_node = -1;
	return 0;
}

/* A compatible property's value names want (fdt_node_check_compatible's
 * test, on the value in place). */
static bool value_lists(const char *st, int off, const char *want)
{
	int len = (int)dt_be32((const uint8_t *)st + off + FDT_TAGSIZE);

	return fdt_stringlist_contains(st + off + sizeof(struct fdt_property), len, want) != 0;
}

/* A child of the root named name[] (as libfdt's subnode search compares). */
static void note_root_child(const char *name, int node, struct slot *slots, int n)
{
	for (int i = 0; i < n; i++) {
		if (slots[i].mine < 0 && dt_child_named(name, slots[i].name))
			slots[i].mine = node;
		if (slots[i].parent_node < 0 && dt_child_named(name, slots[i].parent))
			slots[i].parent_node = node;
	}
}

/* One raw walk of the kernel's DT tags (dt_next_tag_raw: bounded by its
 * structure block): its virtio,mmio nodes (old), and for each slot the
 * first child of the root with its name and with its interrupt parent's
 * name. A node's first "compatible" is the one read, as fdt_getprop does.
 * libfdt's walk and compatible check, which check every tag again, cost
 * 27k instructions more of microvm's boot (`./takt bench profile`). */
static int scan_kernel_dt(const void *fdt, struct slot *slots, int n, int *old)
{
	const char *st = (const char *)fdt + fdt_off_dt_struct(fdt);
	uint32_t tag, size = fdt_size_dt_struct(fdt);
	int depth = -1, nold = 0, node = -1, off = 0, next = 0;
	bool compat_read = true;

	do {
		tag = dt_next_tag_raw(st, size, off, &next);
		if (next < 0)
			break;
		if (tag == FDT_BEGIN_NODE) {
			node = off;
			compat_read = false;
			if (++depth == 1)
				note_root_child(st + off + FDT_TAGSIZE, node, slots, n);
		} else if (tag == FDT_PROP && !compat_read &&
			   dt_name_is(fdt, dt_be32((const uint8_t *)st + off + 2 * FDT_TAGSIZE),
				      "compatible", 10)) {
			compat_read = true;
			if (value_lists(st, off, "virtio,mmio")) {
				if (nold == BUILTIN_MAX)
					return fail(fdt, node,
						    "the kernel's DT has too many virtio,mmio nodes",
						    -E2BIG);
				old[nold++] = node;
			}
		} else if (tag == FDT_END_NODE) {
			compat_read = true;	/* a parent's properties come before its children */
			depth--;
		}
		off = next;
	} while (tag != FDT_END && depth >= 0);
	if (next < 0 || depth >= 0)
		return fail(NULL, -1, "the kernel's DT ends inside a node", -EINVAL);
	return nold;
}

/* fdt_get_phandle's answer ("phandle", else "linux,phandle": one cell),
 * by dt_raw.c's pass over the node's properties: libfdt's lookups on the
 * unindexed kernel DT were 1.8k instructions for the one. */
static uint32_t phandle_of(const void *fdt, int node)
{
	int len;
	const uint8_t *p = dt_raw_getprop(fdt, node, "phandle", &len);

	if (!p || len != 4)
		p = dt_raw_getprop(fdt, node, "linux,phandle", &len);
	return p && len == 4 ? dt_be32(p) : 0;
}

/* A compatible list as a lookup gave it (NULL, len < 0: none) names want:
 * fdt_node_check_compatible's test. */
static bool list_names(const char *list, int len, const char *want)
{
	return list && len > 0 && fdt_stringlist_contains(list, len, want);
}

/* The node's compatible list names want (tk_dt_compat_index >= 0), read
 * likewise. */
static bool raw_compatible(const void *fdt, int node, const char *want)
{
	int len;
	const char *list = dt_raw_getprop(fdt, node, "compatible", &len);

	return list_names(list, len, want);
}

static int resolve_slot(const void *fdt, const void *q, int qnode, struct slot *s)
{
	s->parent_phandle = s->parent_node >= 0 ? phandle_of(fdt, s->parent_node) : 0;
	if (s->parent_phandle == 0 || s->parent_phandle == (uint32_t)-1) {
		struct tk_dt_irq irq;

		return fail(q, tk_dt_irqs(q, qnode, &irq, 1) == 1 ? irq.parent : qnode,
			    "QEMU's interrupt parent has no node with a phandle in the kernel's DT",
			    -ENXIO);
	}
	/* The name must not belong to anything but a slot in fdt. */
	if (s->mine >= 0 && !raw_compatible(fdt, s->mine, "virtio,mmio"))
		return fail(q, qnode, "virtio,mmio slot's name is a different node in the kernel's DT",
			    -EINVAL);
	return 0;
}

static void slot_values(const struct slot *s, fdt32_t reg[4], fdt32_t irq[2])
{
	reg[0] = cpu_to_fdt32((uint32_t)(s->addr >> 32));
	reg[1] = cpu_to_fdt32((uint32_t)s->addr);
	reg[2] = cpu_to_fdt32((uint32_t)(s->size >> 32));
	reg[3] = cpu_to_fdt32((uint32_t)s->size);
	irq[0] = cpu_to_fdt32(s->pin);
	irq[1] = cpu_to_fdt32(QEMU_DT_VIRTIO_IRQ_TYPE);
}

static int write_slot(void *fdt, const struct slot *s)
{
	fdt32_t reg[4], irq[2];
	int node = fdt_add_subnode(fdt, 0, s->name);

	slot_values(s, reg, irq);
	if (node < 0 || fdt_setprop_string(fdt, node, "compatible", "virtio,mmio") ||
	    fdt_setprop(fdt, node, "reg", reg, sizeof(reg)) ||
	    fdt_setprop_u32(fdt, node, "interrupt-parent", s->parent_phandle) ||
	    fdt_setprop(fdt, node, "interrupts", irq, sizeof(irq)) ||
	    fdt_setprop_empty(fdt, node, "dma-coherent"))
		return fail(NULL, -1, "no room in the kernel's DT buffer for QEMU's virtio slots",
			    -ENOSPC);
	return 0;
}

/* The node holds just what write_slot writes, with the same lengths; the
 * values QEMU's replace are noted in s->in_place. */
static bool slot_shaped(void *fdt, struct slot *s)
{
	static const struct { const char *name; int len; } want[] = {
		{ "reg", 16 }, { "interrupt-parent", 4 }, { "interrupts", 8 },
		{ "compatible", 12 }, { "dma-coherent", 0 },
	};
	unsigned seen = 0;
	int prop;

	fdt_for_each_property_offset(prop, fdt, s->mine) {
		const char *name;
		int len, i = 0;
		const void *v = fdt_getprop_by_offset(fdt, prop, &name, &len);

		while (i < 5 && strcmp(name, want[i].name))
			i++;
		if (!v || i == 5 || len != want[i].len || (seen & 1u << i) ||
		    (i == 3 && memcmp(v, "virtio,mmio", 12)))
			return false;
		seen |= 1u << i;
		if (i < 3)
			s->in_place[i] = (void *)(uintptr_t)v;	/* fdt is writable */
	}
	return seen == 0x1f;
}

/* Each slot names a built-in node, in the order QEMU lists them, shaped as
 * write_slot would make it: the merge can then write over those nodes in
 * place. Deleting and adding nodes moves the blob on every property (8k
 * instructions each, five a slot). */
static bool can_overwrite(void *fdt, struct slot *s, int n)
{
	for (int i = 0, prev = -1; i < n; prev = s[i++].mine)
		if (s[i].mine <= prev || !slot_shaped(fdt, &s[i]))
			return false;
	return true;
}

static void overwrite_slot(struct slot *s, const void *fdt)
{
	fdt32_t reg[4], irq[2], ph = cpu_to_fdt32(s->parent_phandle);

	slot_values(s, reg, irq);
	memcpy(s->in_place[0], reg, sizeof(reg));
	memcpy(s->in_place[1], &ph, sizeof(ph));
	memcpy(s->in_place[2], irq, sizeof(irq));
	/* the node's own name for qemu_dt_merged_slot ("x" may be "x@addr") */
	if (!copy_name(fdt, s->mine, s->name))
		s->name[0] = 0;
}

static bool kept(const struct slot *s, int n, int node)
{
	for (int i = 0; i < n; i++)
		if (s[i].mine == node)
			return true;
	return false;
}

/* A node goes as FDT_NOP tags over its bytes, through its END_NODE: every
 * walk skips them, and no offset moves (fdt_del_node moved the rest of the
 * blob down for each: 13k instructions for microvm's seven unused slots).
 * The node's end is found by a raw walk (dt_next_tag_raw, bounded by the
 * structure block): libfdt's fdt_nop_node, checking every tag again, was
 * 900 instructions a node. node is a BEGIN_NODE offset from the scan. */
static int nop_node(void *fdt, int node)
{
	char *st = (char *)fdt + fdt_off_dt_struct(fdt);
	uint32_t tag, size = fdt_size_dt_struct(fdt);
	int depth = 0, off = node, next;
	const fdt32_t nop = cpu_to_fdt32(FDT_NOP);

	do {
		tag = dt_next_tag_raw(st, size, off, &next);
		if (next < 0 || tag == FDT_END || (off == node && tag != FDT_BEGIN_NODE))
			return -1;
		depth += tag == FDT_BEGIN_NODE ? 1 : tag == FDT_END_NODE ? -1 : 0;
		off = next;
	} while (depth > 0);
	for (int o = node; o < off; o += FDT_TAGSIZE)
		memcpy(st + o, &nop, sizeof(nop));
	return 0;
}

static int delete_old(void *fdt, const int *old, int nold, const struct slot *keep, int nkeep)
{
	while (nold-- > 0)
		if (!kept(keep, nkeep, old[nold]) && nop_node(fdt, old[nold]))
			return fail(fdt, old[nold], "cannot delete a built-in virtio,mmio node",
				    -ENOSPC);
	return 0;
}

static int replace_slots(void *fdt, struct slot *s, int n, const int *old, int nold)
{
	int err;

	if (can_overwrite(fdt, s, n)) {
		for (int i = 0; i < n; i++)
			overwrite_slot(&s[i], fdt);
		return delete_old(fdt, old, nold, s, n);
	}
	err = delete_old(fdt, old, nold, NULL, 0);
	/* fdt_add_subnode puts a node first among its siblings, so adding in
	 * reverse keeps QEMU's order. */
	for (int i = n - 1; i >= 0 && !err; i--)
		err = write_slot(fdt, &s[i]);
	return err;
}

/* The merge's work space, in the caller's buffer: the slots, then a node
 * index of QEMU's blob in the rest (QEMU's microvm DT has about a dozen
 * nodes; a larger blob goes unindexed, its lookups walking it). */
struct merge_lists {
	struct slot slots[QEMU_DT_MAX_SLOTS];
	int qnode[QEMU_DT_MAX_SLOTS], old[BUILTIN_MAX];
};
#define INDEX_WORDS ((QEMU_DT_MERGE_SCRATCH - sizeof(struct merge_lists)) / 4)
struct merge_ws {
	struct merge_lists l;
	uint32_t index[INDEX_WORDS];
};
_Static_assert(sizeof(struct merge_ws) <= QEMU_DT_MERGE_SCRATCH, "QEMU_DT_MERGE_SCRATCH");
_Static_assert(INDEX_WORDS * 4 >= 32 * DT_INDEX_NODE_BYTES, "an index of 32 nodes");

/* Without a buffer: a static work space, which the linker drops from an
 * image that only calls qemu_dt_merge_virtio_in (the boot's). */
int qemu_dt_merge_virtio(void *fdt, const void *q, size_t qlen)
{
	static struct merge_ws ws;

	return qemu_dt_merge_virtio_in(fdt, q, qlen, &ws);
}

/* A compatible list holding want (fdt_node_check_compatible's answer),
 * read through the node index. */
static bool is_compatible(const void *fdt, int node, const char *want)
{
	int len;
	const char *list = dt_getprop(fdt, node, "compatible", &len);

	return list_names(list, len, want);
}

/* QEMU's slots (qnode, slots), read and checked; the blob was indexed in
 * the work space for these lookups and is forgotten before the return. */
static int read_qemu_slots(const void *q, struct merge_ws *ws)
{
	int n = 0, err = 0;

	for (int node = -1; (node = tk_dt_next_node(q, node)) >= 0;) {
		if (!is_compatible(q, node, "virtio,mmio") || !tk_dt_node_enabled(q, node))
			continue;
		if (n == QEMU_DT_MAX_SLOTS) {
			err = fail(q, node, "more virtio,mmio slots than QEMU has", -E2BIG);
			break;
		}
		err = read_slot(q, node, &ws->l.slots[n]);
		for (int i = 0; i < n && !err; i++)
			if (!strcmp(ws->l.slots[i].name, ws->l.slots[n].name) ||
			    ws->l.slots[i].addr == ws->l.slots[n].addr)
				err = fail(q, node, "two virtio,mmio slots with one name or address",
					   -EINVAL);
		if (err)
			break;
		ws->l.qnode[n++] = node;
	}
	dt_index_drop();
	return err ? err : n;
}

int qemu_dt_merge_virtio_in(void *fdt, const void *q, size_t qlen, void *scratch)
{
	struct merge_ws *ws = scratch;
	struct slot *slots = ws->l.slots;
	/* validated, and indexed in the work space for read_qemu_slots
	 * (n < 0: not indexed, its lookups walk) */
	int n, nold, err = dt_validate_index_in(q, qlen, ws->index, sizeof(ws->index), &n);

	if (err)
		return err;
	if (!dt_raw_root_cells_are(fdt, 2, 2)) {
		dt_index_drop();
		return fail(fdt, 0, "the kernel's DT root must have 2 address and 2 size cells",
			    -EINVAL);
	}
	n = read_qemu_slots(q, ws);
	if (n < 0)
		return n;
	nold = scan_kernel_dt(fdt, slots, n, ws->l.old);
	if (nold < 0)
		return nold;
	for (int i = 0; i < n; i++) {
		err = resolve_slot(fdt, q, ws->l.qnode[i], &slots[i]);
		if (err)
			return err;
	}
	/* Checked: now replace. */
	err = replace_slots(fdt, slots, n, ws->l.old, nold);
	return err ? err : n;
}

int qemu_dt_merged_slot(const void *scratch, int i, const char **name, uint64_t *addr,
			uint32_t *pin)
{
	if (i < 0 || i >= QEMU_DT_MAX_SLOTS)
		return -EINVAL;
	const struct slot *s = &((const struct merge_ws *)scratch)->l.slots[i];

	*name = s->name;
	*addr = s->addr;
	*pin = s->pin;
	return 0;
}

static int cpus_node(void *fdt)
{
	int node = dt_raw_subnode(fdt, 0, "cpus");

	if (node >= 0)
		return node;
	node = fdt_add_subnode(fdt, 0, "cpus");
	if (node < 0)
		return node;
	int err = fdt_setprop_u32(fdt, node, "#address-cells", 1);

	if (!err)
		err = fdt_setprop_u32(fdt, node, "#size-cells", 0);
	return err ? err : node;
}

/* libfdt errors become the negative errno this file's callers expect. */
static int fdt_errno(int err)
{
	return err == -FDT_ERR_NOSPACE ? -ENOSPC : -EINVAL;
}

int qemu_dt_merge_cpus(void *fdt, uint32_t ncpus)
{
	if (ncpus == 0 || ncpus > QEMU_DT_MAX_CPUS)
		return -EINVAL;
	int parent = cpus_node(fdt);

	if (parent < 0)
		return fdt_errno(parent);
	/* Last first: fdt_add_subnode puts a node first among its siblings,
	 * so the CPUs end up in APIC ID order (started in that order). */
	for (uint32_t id = ncpus; id-- > 0;) {
		char name[8] = "cpu@0";	/* QEMU_DT_MAX_CPUS <= 10: one digit */

		name[4] = (char)('0' + id);
		if (dt_raw_subnode(fdt, parent, name) >= 0)
			continue;
		int node = fdt_add_subnode(fdt, parent, name);
		int err = node < 0 ? node : fdt_setprop_string(fdt, node, "device_type", "cpu");

		if (!err)
			err = fdt_setprop_u32(fdt, node, "reg", id);
		if (err)
			return fdt_errno(err);
		/* fdt_add_subnode moved later offsets: find /cpus again. */
		parent = dt_raw_subnode(fdt, 0, "cpus");
		if (parent < 0)
			return fdt_errno(parent);
	}
	return 0;
}
