/*
 * tk_dt_validate: the one check every blob passes before the kernel reads
 * it (see <takt/dt.h>). In the image, libfdt is built trusting its input
 * (FDT_ASSUME_MASK, about half the cost of every lookup), which is sound
 * only for a blob that passed here.
 *
 * The header goes through a strict copy of libfdt's check (built
 * separately with its symbols renamed, cmake/libfdt.cmake). The structure
 * block is walked here, once, tag by tag, without libfdt: it refuses all
 * that fdt_check_full refuses (checked on the host, below) and more.
 * fdt_check_full itself was 141k of the 392k instructions of a boot on
 * QEMU's virt DTB, its per-tag and per-string checks layered call on call;
 * and it cannot be trusted with the blob first: it loops for ever on a
 * property whose length wraps its offset back (0xfffffff4: the next tag is
 * the same one; tests/fuzz/fuzz_dt.c, u-boot's libfdt and Debian's alike).
 *
 * Host builds (unit tests, the fuzzers) run libfdt's fdt_check_full after
 * a pass here and abort when it disagrees: every DTB the tests and the
 * fuzzers feed is a differential test of this walk against libfdt's.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <libfdt.h>

#include <takt/dt.h>

#include "dt_impl.h"

#ifndef TAKT_LIBFDT_STRICT
#include <stdio.h>
#include <stdlib.h>
#endif

COLD static int blob_err(const char *what, uint64_t num, int err)
{
	tk_dt_err_begin(NULL, -1);
	tk_dt_err_str("DTB: ");
	tk_dt_err_str(what);
	tk_dt_err_num(num, 16);
	return err;
}

COLD static int blob_fdt_err(const char *what, int fdt_err)
{
	tk_dt_err_begin(NULL, -1);
	tk_dt_err_str("DTB: ");
	tk_dt_err_str(what);
	tk_dt_err_str(fdt_strerror(fdt_err));
	return -EBADMSG;
}

/* libfdt's fdt_num_mem_rsv: the reservation map ends (an entry of size 0)
 * inside the blob. dt_check_header put its start in the blob, 8-aligned. */
static int check_rsvmap(const void *fdt)
{
	uint32_t off = fdt_off_mem_rsvmap(fdt), total = fdt_totalsize(fdt);
	const uint32_t entry = sizeof(struct fdt_reserve_entry);

	for (; off <= total - entry; off += entry)
		if (dt_be32((const uint8_t *)fdt + off + 8) == 0 &&
		    dt_be32((const uint8_t *)fdt + off + 12) == 0)
			return 0;
	return blob_err("the memory reservation map has no end inside the blob, from: ",
			fdt_off_mem_rsvmap(fdt), -EBADMSG);
}

/* The offset of the strings block's last NUL, -1 when it has none. A
 * property's name must be an offset into the block with a NUL before its
 * end (libfdt's fdt_get_string, for version 17): that is, an offset at or
 * before this one. Found once, not with a memchr per property (those were
 * a third of this walk). */
static int64_t last_nul(const void *fdt)
{
	const char *strs = (const char *)fdt + fdt_off_dt_strings(fdt);
	int64_t i = (int64_t)fdt_size_dt_strings(fdt) - 1;

	while (i >= 0 && strs[i])
		i--;
	return i;
}

static bool prop_name_ok(const char *tagp, int64_t strs_last_nul)
{
	return (int64_t)dt_be32((const uint8_t *)tagp + 8) <= strs_last_nul;
}

COLD static int struct_err(const char *what, int off)
{
	return blob_err(what, (uint64_t)off, -EBADMSG);
}

/* A node's name, at BEGIN_NODE: the root's is empty, and no name has a
 * '/' (DT spec 2.2.1; fdt_check_full does not read it, and fdt_get_path
 * and the node index would name different nodes for one offset).
 * dt_next_tag_named found its NUL inside the block, and the '/'. */
static int check_node_name(const char *st, int off, int depth, bool slash)
{
	if (depth == 0 && st[off + FDT_TAGSIZE])
		return struct_err("the root node has a name, at structure offset: ", off);
	if (slash)
		return struct_err("a node name contains '/', at structure offset: ", off);
	return 0;
}

/* The node whose properties the walk is reading, for the index: its
 * position, offset and row of hot properties (at NULL once a child has
 * ended: see walk), kept in the walk's registers rather than looked up
 * through open[] for each property. */
struct open_node {
	int i, off;
	uint16_t *at;
};

/* The node index's part of a BEGIN_NODE at off, depth deep (open[] holds
 * the open nodes' positions); -ENOSPC when ix is full or too deep. */
static inline int index_node(struct dt_index_arrays *ix, int32_t *open, int depth, int off,
			     struct open_node *cur)
{
	if (ix->n == ix->cap || depth >= DT_INDEX_DEPTH)
		return -ENOSPC;
	open[depth] = ix->n;
	ix->off[ix->n] = off;
	ix->parent[ix->n] = depth ? open[depth - 1] : -1;
	ix->phandle[ix->n] = 0;
	*cur = (struct open_node){ ix->n, off, dt_props_begin(ix->n) };
	ix->n++;
	return 0;
}

/* The structure block, as fdt_check_full walks it: tags in bounds, one
 * root node with an empty name, nodes nested and closed, every property
 * named, FDT_END after the root and only there; and no property outside
 * a node, no '/' in a name, the root first (no FDT_NOP before it) and
 * there at all (FDT_END alone passes fdt_check_full). With ix, the same walk builds the node index
 * (dt_index.c): one decode of each tag for both, where two walks were a
 * third of the boot (-ENOSPC: ix cannot hold the blob; nothing said about
 * its validity). One copy for both (a test of ix a node and a property,
 * against half a KiB of text twice). */
static __attribute__((noinline)) int walk(const void *fdt, struct dt_index_arrays *ix)
{
	const char *st = (const char *)fdt + fdt_off_dt_struct(fdt);
	uint32_t size = fdt_size_dt_struct(fdt), tag;
	int off = 0, next, depth = 0, rc;
	bool closed = false;	/* the root node has ended */
	int64_t names_end = last_nul(fdt);
	int32_t open[DT_INDEX_DEPTH];
	struct open_node cur = { -1, 0, NULL };

	for (;; off = next) {
		bool slash = false;

		tag = dt_next_tag_named(st, size, off, &next, &slash);
		if (next < 0)
			return struct_err("a tag runs past the structure block, at offset: ", off);
		/* the common tag first: a property inside a node (so before the
		 * root's end) with its name in the strings block */
		if (tag == FDT_PROP && depth > 0 && prop_name_ok(st + off, names_end)) {
			/* the legacy "linux,phandle" is not read (DT spec 2.3.3);
			 * only a node's first "phandle" gives a value */
			if (ix && cur.at) {
				uint32_t ph = dt_props_note(fdt, cur.at, cur.off, off, st + off);

				if (ph)
					ix->phandle[cur.i] = ph;
			}
			continue;
		}
		if (closed && tag != FDT_END)
			return struct_err("a tag after the root node's end, at structure offset: ",
					  off);
		switch (tag) {
		case FDT_NOP:
			/* before the root: fdt_check_full passes it, but libfdt's
			 * own fdt_get_path then fails for every node (it walks
			 * from offset 0 expecting the root) and dtc refuses the
			 * blob (found by tests/fuzz/fuzz_dt.c) */
			if (depth == 0)
				return struct_err("FDT_NOP before the root node, at structure offset: ",
						  off);
			break;
		case FDT_END:
			if (depth)
				return struct_err("FDT_END inside a node, at structure offset: ", off);
			if (!closed)
				return struct_err("no root node: FDT_END at structure offset: ", off);
			return 0;
		case FDT_BEGIN_NODE:
			rc = check_node_name(st, off, depth, slash);
			if (!rc && ix)
				rc = index_node(ix, open, depth, off, &cur);
			if (rc)
				return rc;
			depth++;
			break;
		case FDT_END_NODE:
			if (depth == 0)
				return struct_err("FDT_END_NODE outside a node, at structure offset: ",
						  off);
			closed = --depth == 0;
			/* back in the parent, after a child: a property there is
			 * not the parent's for libfdt (fdt_getprop, the phandle
			 * lookups: a node's properties end at its first child),
			 * so the index does not record it either */
			cur.at = NULL;
			break;
		case FDT_PROP:
			if (depth == 0)
				return struct_err("a property outside a node, at structure offset: ",
						  off);
			return struct_err("a property's name is not in the strings block, at structure offset: ",
					  off);
		default:
			return struct_err("an unknown tag, at structure offset: ", off);
		}
	}
}

#ifndef TAKT_LIBFDT_STRICT
/* The host's differential check: what passed here must pass libfdt. */
static void agree_with_libfdt(const void *fdt)
{
	int rc = fdt_check_full(fdt, fdt_totalsize(fdt));

	if (rc) {
		fprintf(stderr, "tk_dt_validate passed a DTB that fdt_check_full refuses: %s\n",
			fdt_strerror(rc));
		abort();
	}
}
#else
static void agree_with_libfdt(const void *fdt)
{
	(void)fdt;
}
#endif

/* Everything before the structure block's walk. */
static int check_header(const void *fdt, size_t bufsize)
{
	size_t cap = bufsize < TK_DT_MAX_SIZE ? bufsize : TK_DT_MAX_SIZE;
	int rc;

	/* 8, not 4: devicetree spec 5.1, the arm64 boot protocol and libfdt
	 * (FDT_ERR_ALIGNMENT since 1.6) all require it. */
	if (!fdt || ((uintptr_t)fdt & 7))
		return blob_err("address is NULL or not 8-byte aligned: ",
				(uint64_t)(uintptr_t)fdt, -EFAULT);
	if (cap < sizeof(struct fdt_header))
		return blob_err("buffer is smaller than a header, bytes: ", cap, -EBADMSG);
	if (fdt_magic(fdt) != FDT_MAGIC)
		return blob_err("bad magic (want 0xd00dfeed): ", fdt_magic(fdt), -EBADMSG);
	rc = dt_check_header(fdt);
	if (rc)
		return blob_fdt_err("header rejected: ", rc);
	/* Only now is totalsize meaningful; nothing past it is read below. */
	if (fdt_totalsize(fdt) > cap)
		return blob_err("totalsize exceeds the readable buffer (or the 2 MiB limit): ",
				fdt_totalsize(fdt), -E2BIG);
	/* libfdt checks that the structure block lies inside the blob, not
	 * that it is aligned; every tag and struct fdt_property in it is read
	 * as 32-bit words (the node index, dt_props.c), so an offset like 0x39
	 * is refused here (found by tests/fuzz/fuzz_dt.c: UBSan, misaligned). */
	if (fdt_off_dt_struct(fdt) & (FDT_TAGSIZE - 1))
		return blob_err("structure block offset is not 4-byte aligned: ",
				fdt_off_dt_struct(fdt), -EBADMSG);
	/* The trusting libfdt assumes the current format (FDT_ASSUME_LATEST). */
	if (fdt_version(fdt) < 17)
		return blob_err("version is older than 17, the only one supported: ",
				fdt_version(fdt), -EBADMSG);
	return check_rsvmap(fdt);
}

int tk_dt_validate(const void *fdt, size_t bufsize)
{
	int rc = check_header(fdt, bufsize);

	if (!rc)
		rc = walk(fdt, NULL);
	if (!rc)
		agree_with_libfdt(fdt);
	return rc;
}

int dt_validate_indexing(const void *fdt, size_t bufsize, struct dt_index_arrays *ix)
{
	int rc = check_header(fdt, bufsize);

	if (!rc)
		rc = walk(fdt, ix);
	if (rc == -ENOSPC) {	/* no index: the verdict from a walk without */
		ix->n = -1;
		rc = walk(fdt, NULL);
	}
	if (!rc)
		agree_with_libfdt(fdt);
	return rc;
}

int dt_index_walk(const void *fdt, struct dt_index_arrays *ix)
{
	return walk(fdt, ix);
}
