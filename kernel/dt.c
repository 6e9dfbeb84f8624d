/*
 * Checked devicetree access (see <takt/dt.h> for the contracts).
 *
 * The DTB is untrusted input: every read goes through libfdt, every length
 * is checked against the cell counts before a value is decoded, and every
 * failure is described in one static sentence for the boot panic.
 * Property values are decoded with memcpy because libfdt only guarantees
 * 4-byte alignment of a value, and 64-bit values may straddle that.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <libfdt.h>

#include <takt/dt.h>

/*
 * In the image, libfdt is built trusting its input (FDT_ASSUME_MASK, about
 * half the cost of every lookup), which is sound only for a blob that
 * passed tk_dt_validate(); validation uses a strict copy of libfdt's
 * checks, built separately with its symbols renamed (cmake/takt.cmake).
 * Host builds (unit tests, tools) use the ordinary libfdt.
 */
#ifdef TAKT_LIBFDT_STRICT
int fdt_check_header_strict(const void *fdt);
int fdt_check_full_strict(const void *fdt, size_t bufsize);
#define check_header fdt_check_header_strict
#define check_full fdt_check_full_strict
#else
#define check_header fdt_check_header
#define check_full fdt_check_full
#endif

#define ERR_LEN 256

/* Failure reporting is off every good path: keep it out of line and small. */
#define COLD __attribute__((cold, noinline))

/* The last failure; one buffer because boot is single-threaded. The node's
 * path is put in front only when the text is asked for: a missing optional
 * property is an ordinary answer on the boot path, and fdt_get_path walks
 * the blob from the start. */
static char err_buf[ERR_LEN] = "no devicetree error";
static char err_text[ERR_LEN];
static const void *err_fdt;
static int err_node = -1;

/* ---- error text ------------------------------------------------------- */

COLD static void err_strn(const char *s, size_t n)
{
	size_t used = strlen(err_buf);

	if (n > ERR_LEN - 1 - used)
		n = ERR_LEN - 1 - used; /* truncate rather than fail: it is a diagnostic */
	memcpy(err_buf + used, s, n);
	err_buf[used + n] = '\0';
}

COLD void tk_dt_err_str(const char *s)
{
	if (s)
		err_strn(s, strlen(s));
}

COLD void tk_dt_err_num(uint64_t v, unsigned int base)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	if (base != 16)
		base = 10;
	tmp[--i] = '\0';
	do {
		tmp[--i] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (base == 16) {
		tmp[--i] = 'x';
		tmp[--i] = '0';
	}
	tk_dt_err_str(&tmp[i]);
}

COLD static void err_int(int v)
{
	if (v < 0)
		tk_dt_err_str("-");
	tk_dt_err_num(v < 0 ? (uint64_t)-(int64_t)v : (uint64_t)v, 10);
}

static int path_quiet(const void *fdt, int node, char *buf, size_t len);

COLD void tk_dt_err_begin(const void *fdt, int node)
{
	err_buf[0] = '\0';
	err_fdt = fdt;
	err_node = node;
}

const char *tk_dt_last_error(void)
{
	size_t n;

	if (err_node < 0)
		return err_buf;
	if (path_quiet(err_fdt, err_node, err_text, ERR_LEN) < 0)
		memcpy(err_text, "(node with no valid path)", 26);
	n = strlen(err_text);
	if (n + 2 < ERR_LEN) {
		memcpy(err_text + n, ": ", 3);
		n += 2;
	}
	size_t rest = strlen(err_buf);

	if (rest > ERR_LEN - 1 - n)
		rest = ERR_LEN - 1 - n;
	memcpy(err_text + n, err_buf, rest);
	err_text[n + rest] = 0;
	return err_text;
}

/* "<node>: '<prop>' <what>" and the error code, for one-line returns. */
COLD static int prop_err(const void *fdt, int node, const char *prop, const char *what, int err)
{
	tk_dt_err_begin(fdt, node);
	tk_dt_err_str("'");
	tk_dt_err_str(prop);
	tk_dt_err_str("' ");
	tk_dt_err_str(what);
	return err;
}

/* "<node>: '<prop>' is <len> bytes, <what>" -> -EINVAL */
COLD static int len_err(const void *fdt, int node, const char *prop, int len, const char *what)
{
	prop_err(fdt, node, prop, "is ", -EINVAL);
	tk_dt_err_num((uint64_t)len, 10);
	tk_dt_err_str(" bytes, ");
	tk_dt_err_str(what);
	return -EINVAL;
}

/* libfdt's error codes as the errno values of our contracts. */
static int fdt_errno(int err)
{
	switch (err) {
	case -FDT_ERR_NOTFOUND:
		return -ENOENT;
	case -FDT_ERR_NOSPACE:
		return -ENOSPC;
	case -FDT_ERR_BADPHANDLE:
		return -ENXIO;
	case -FDT_ERR_TRUNCATED:
	case -FDT_ERR_BADMAGIC:
	case -FDT_ERR_BADVERSION:
	case -FDT_ERR_BADSTRUCTURE:
	case -FDT_ERR_BADLAYOUT:
		return -EBADMSG;
	default:
		return -EINVAL;
	}
}

/* ---- validation ------------------------------------------------------- */

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

int tk_dt_validate(const void *fdt, size_t bufsize)
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
	rc = check_header(fdt);
	if (rc)
		return blob_fdt_err("header rejected: ", rc);
	/* Only now is totalsize meaningful; nothing past it is read below. */
	if (fdt_totalsize(fdt) > cap)
		return blob_err("totalsize exceeds the readable buffer (or the 2 MiB limit): ",
				fdt_totalsize(fdt), -E2BIG);
	/* The trusting libfdt assumes the current format (FDT_ASSUME_LATEST). */
	if (fdt_version(fdt) < 17)
		return blob_err("version is older than 17, the only one supported: ",
				fdt_version(fdt), -EBADMSG);
	rc = check_full(fdt, fdt_totalsize(fdt));
	if (rc)
		return blob_fdt_err("structure block is damaged: ", rc);
	return 0;
}

/* ---- properties ------------------------------------------------------- */

static uint32_t be32(const uint8_t *p)
{
	fdt32_t v;

	memcpy(&v, p, sizeof(v));
	return fdt32_to_cpu(v);
}

/* A value of n (<= 2) big-endian cells. */
static uint64_t cells_val(const uint8_t *p, uint32_t n)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < n; i++)
		v = (v << 32) | be32(p + 4 * i);
	return v;
}

/* fdt_getprop that explains a missing property or a bad node offset. */
static const uint8_t *get_prop(const void *fdt, int node, const char *name, int *len)
{
	const uint8_t *p = fdt_getprop(fdt, node, name, len);

	if (!p) {
		int err = fdt_errno(*len);

		*len = prop_err(fdt, node, name,
				err == -ENOENT ? "is missing" : "cannot be read (bad node)", err);
	}
	return p;
}

int tk_dt_prop_u32(const void *fdt, int node, const char *name, uint32_t *out)
{
	int len;
	const uint8_t *p = get_prop(fdt, node, name, &len);

	if (!p)
		return len;
	if (len != 4)
		return len_err(fdt, node, name, len, "not 4");
	*out = be32(p);
	return 0;
}

int tk_dt_prop_u64(const void *fdt, int node, const char *name, uint64_t *out)
{
	int len;
	const uint8_t *p = get_prop(fdt, node, name, &len);

	if (!p)
		return len;
	if (len != 4 && len != 8)
		return len_err(fdt, node, name, len, "not 4 or 8");
	*out = cells_val(p, (uint32_t)len / 4);
	return 0;
}

int tk_dt_prop_str(const void *fdt, int node, const char *name, const char **out)
{
	int len;
	const char *p = (const char *)get_prop(fdt, node, name, &len);

	if (!p)
		return len;
	if (len == 0 || p[0] == '\0')
		return prop_err(fdt, node, name, "is an empty string", -EINVAL);
	/* Without a NUL inside the value, strlen() would run into the next tag. */
	if (!memchr(p, '\0', (size_t)len))
		return prop_err(fdt, node, name, "is not NUL-terminated", -EINVAL);
	*out = p;
	return 0;
}

/* Property value equals the string want, terminator included. */
static bool prop_is(const char *v, int len, const char *want)
{
	size_t n = strlen(want) + 1;

	return v && len == (int)n && memcmp(v, want, n) == 0;
}

bool tk_dt_node_enabled(const void *fdt, int node)
{
	int len;
	const char *s = fdt_getprop(fdt, node, "status", &len);

	/* Absent means enabled (devicetree spec 2.3.4); a bad node is not. */
	if (!s)
		return len == -FDT_ERR_NOTFOUND;
	return prop_is(s, len, "okay") || prop_is(s, len, "ok");
}

/* An absent compatible or a non-match is an answer, not a failure: the
 * device model asks this for every node and driver, so it stays silent
 * (and cheap) on -ENOENT. */
int tk_dt_compat_index(const void *fdt, int node, const char *compat)
{
	int len, idx;
	const char *list = fdt_getprop(fdt, node, "compatible", &len);

	if (!compat)
		return -EINVAL;
	if (!list)
		return len == -FDT_ERR_NOTFOUND ? -ENOENT : fdt_errno(len);
	if (len > 0 && list[len - 1] != '\0')
		return prop_err(fdt, node, "compatible", "is not a NUL-terminated string list",
				-EINVAL);
	idx = fdt_stringlist_search(fdt, node, "compatible", compat);
	return idx >= 0 ? idx : -ENOENT;
}

/* ---- finding nodes ---------------------------------------------------- */

static int sub_node(const void *fdt, int parent, const char *name, int len);

/* Follow the path components in [p, end) down from node. */
static int walk_path(const void *fdt, int node, const char *p, const char *end)
{
	while (p < end && node >= 0) {
		const char *q;

		if (*p == '/') {
			p++;
			continue;
		}
		q = memchr(p, '/', (size_t)(end - p));
		if (!q)
			q = end;
		node = sub_node(fdt, node, p, (int)(q - p));
		p = q;
	}
	return node;
}

/* "alias[/sub/path]" in [name, name+n). Resolved here rather than by
 * fdt_path_offset because libfdt 1.6 strlen()s the alias value unchecked. */
static int alias_node(const void *fdt, const char *name, size_t n)
{
	const char *slash = memchr(name, '/', n);
	size_t alen = slash ? (size_t)(slash - name) : n;
	int aliases = sub_node(fdt, 0, "aliases", 7);
	const char *target;
	int len, node;

	if (aliases < 0)
		return aliases;
	target = fdt_getprop_namelen(fdt, aliases, name, (int)alen, &len);
	if (!target)
		return len;
	if (len < 2 || target[0] != '/' || !memchr(target, '\0', (size_t)len))
		return -FDT_ERR_BADVALUE;
	node = walk_path(fdt, 0, target, target + strlen(target));
	return slash ? walk_path(fdt, node, slash, name + n) : node;
}

int tk_dt_find_node(const void *fdt, const char *spec)
{
	const char *colon;
	size_t n;
	int node;

	if (!spec) {
		tk_dt_err_begin(NULL, -1);
		tk_dt_err_str("no node path given");
		return -EINVAL;
	}
	/* stdout-path options ("serial0:115200n8") follow a ':', which node
	 * names may not contain. */
	colon = strchr(spec, ':');
	n = colon ? (size_t)(colon - spec) : strlen(spec);
	if (n > 0 && spec[0] == '/')
		node = walk_path(fdt, 0, spec, spec + n);
	else
		node = n > 0 ? alias_node(fdt, spec, n) : -FDT_ERR_NOTFOUND;
	if (node >= 0)
		return node;
	tk_dt_err_begin(NULL, -1);
	tk_dt_err_str("no node or alias '");
	err_strn(spec, n);
	tk_dt_err_str("'");
	return -ENOENT;
}

/* ---- cells and reg ---------------------------------------------------- */

/* One '#...-cells' of bus, dflt when absent; limited to 2 (64 bits). */
static int cell_prop(const void *fdt, int bus, const char *name, uint32_t dflt, uint32_t *out)
{
	int len;
	const uint8_t *p = fdt_getprop(fdt, bus, name, &len);

	if (!p) {
		*out = dflt;
		return len == -FDT_ERR_NOTFOUND ? 0 : prop_err(fdt, bus, name, "cannot be read",
							     fdt_errno(len));
	}
	if (len != 4)
		return len_err(fdt, bus, name, len, "not 4");
	*out = be32(p);
	if (*out > 2) {
		prop_err(fdt, bus, name, "is ", -EINVAL);
		tk_dt_err_num(*out, 10);
		tk_dt_err_str(", but only up to 2 cells (64 bits) are supported");
		return -EINVAL;
	}
	return 0;
}

/* The last bus asked about, for an indexed (so immutable) blob: devices
 * on one bus (QEMU's 32 virtio slots on the root) need one lookup. */
static struct {
	const void *fdt;
	int bus;
	uint32_t ac, sc;
} cells_memo = { 0, -1, 0, 0 };

static const void *indexed_fdt;

/* The #address-cells / #size-cells that bus declares for its children. */
static int bus_cells(const void *fdt, int bus, uint32_t *ac, uint32_t *sc)
{
	int rc;

	if (fdt == indexed_fdt && fdt == cells_memo.fdt && bus == cells_memo.bus) {
		*ac = cells_memo.ac;
		*sc = cells_memo.sc;
		return 0;
	}
	rc = cell_prop(fdt, bus, "#address-cells", 2, ac);
	if (!rc)
		rc = cell_prop(fdt, bus, "#size-cells", 1, sc);
	if (!rc && fdt == indexed_fdt)
		cells_memo = (typeof(cells_memo)){ fdt, bus, *ac, *sc };
	return rc;
}

/* ---- node index ------------------------------------------------------- */

static struct {
	const void *fdt;	/* the blob indexed, NULL if none */
	int n;
	int32_t off[TK_DT_INDEX_MAX];	/* ascending: DT order */
	int32_t parent[TK_DT_INDEX_MAX];	/* -1 for the root */
	uint32_t phandle[TK_DT_INDEX_MAX];	/* 0 when none */
} idx;

/* The node's "phandle" (the legacy "linux,phandle" is not read: one
 * property scan per node instead of two); 0 when none. */
static uint32_t node_phandle(const void *fdt, int node)
{
	int len;
	const uint8_t *p = fdt_getprop(fdt, node, "phandle", &len);

	return p && len == 4 ? be32(p) : 0;
}

int tk_dt_index_build(const void *fdt)
{
	int32_t stack[64];	/* open nodes by depth */
	int node = -1, depth = -1;

	idx.fdt = 0;
	idx.n = 0;
	indexed_fdt = 0;
	cells_memo.fdt = 0;
	/* fdt_next_node returns past the root's end with depth -1: done. */
	while ((node = fdt_next_node(fdt, node, &depth)) >= 0 && depth >= 0) {
		if (idx.n == TK_DT_INDEX_MAX || depth >= 64)
			return -ENOSPC;
		stack[depth] = node;
		idx.off[idx.n] = node;
		idx.parent[idx.n] = depth ? stack[depth - 1] : -1;
		idx.phandle[idx.n] = node_phandle(fdt, node);
		idx.n++;
	}
	idx.fdt = fdt;
	indexed_fdt = fdt;
	return idx.n;
}

/* Position of node in the index, or -1 when not indexed. */
static int idx_find(const void *fdt, int node)
{
	int lo = 0, hi = idx.n - 1;

	if (fdt != idx.fdt)
		return -1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (idx.off[mid] == node)
			return mid;
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
		int i = node < 0 ? 0 : idx_find(fdt, node) + 1;

		if (i > 0 || node < 0)
			return i < idx.n ? idx.off[i] : -ENOENT;
	}
	node = fdt_next_node(fdt, node, 0);
	return node >= 0 ? node : -ENOENT;
}

/* libfdt's node-name rule: "name" matches "name" and, when it has no
 * unit address itself, "name@unit". */
static bool name_matches(const void *fdt, int node, const char *name, int len)
{
	int n;
	const char *s = fdt_get_name(fdt, node, &n);

	if (!s || n < len || memcmp(s, name, (size_t)len))
		return false;
	return n == len || (s[len] == '@' && !memchr(name, '@', (size_t)len));
}

static int sub_node(const void *fdt, int parent, const char *name, int len)
{
	int i = idx_find(fdt, parent);

	if (i < 0)
		return fdt_subnode_offset_namelen(fdt, parent, name, len);
	for (i++; i < idx.n; i++)
		if (idx.parent[i] == parent && name_matches(fdt, idx.off[i], name, len))
			return idx.off[i];
	return -FDT_ERR_NOTFOUND;
}

int tk_dt_subnode(const void *fdt, int parent, const char *name)
{
	int node = name ? sub_node(fdt, parent, name, (int)strlen(name)) : -FDT_ERR_NOTFOUND;

	return node >= 0 ? node : -ENOENT;
}

int tk_dt_next_child(const void *fdt, int parent, int prev)
{
	int i = idx_find(fdt, prev < 0 ? parent : prev);

	if (i < 0) {
		int n = prev < 0 ? fdt_first_subnode(fdt, parent) : fdt_next_subnode(fdt, prev);

		return n >= 0 ? n : -ENOENT;
	}
	for (i++; i < idx.n; i++)
		if (idx.parent[i] == parent)
			return idx.off[i];
	return -ENOENT;
}

static int fast_parent(const void *fdt, int node)
{
	int i = idx_find(fdt, node);

	if (i >= 0)
		return idx.parent[i] >= 0 ? idx.parent[i] : -FDT_ERR_NOTFOUND;
	return fdt_parent_offset(fdt, node);
}

/* The parent of node, or -EINVAL for the root (it has no bus). */
static int parent_of(const void *fdt, int node)
{
	int parent = fast_parent(fdt, node);

	if (parent < 0) {
		tk_dt_err_begin(fdt, node);
		tk_dt_err_str("has no parent bus (root or bad node)");
		return -EINVAL;
	}
	return parent;
}

int tk_dt_parent_cells(const void *fdt, int node, uint32_t *acells, uint32_t *scells)
{
	int parent = parent_of(fdt, node);

	return parent < 0 ? parent : bus_cells(fdt, parent, acells, scells);
}

/* A property of (ac + ... ) cell tuples must hold whole tuples. */
static int tuple_check(const void *fdt, int node, const char *prop, int len, uint32_t ac,
		       uint32_t tuple_cells, uint32_t sc)
{
	if (ac == 0)
		return prop_err(fdt, node, prop, "needs #address-cells >= 1", -EINVAL);
	if ((uint32_t)len % (tuple_cells * 4) == 0)
		return 0;
	len_err(fdt, node, prop, len, "not a multiple of ");
	tk_dt_err_num(tuple_cells * 4, 10);
	tk_dt_err_str(" (#address-cells=");
	tk_dt_err_num(ac, 10);
	tk_dt_err_str(", #size-cells=");
	tk_dt_err_num(sc, 10);
	tk_dt_err_str(")");
	return -EINVAL;
}

/* "<node>: 'reg' 0xADDR+0xSIZE <why>" */
COLD static int region_err(const void *fdt, int node, const struct tk_dt_reg *r, const char *why,
		      int err)
{
	prop_err(fdt, node, "reg", "", err);
	tk_dt_err_num(r->addr, 16);
	tk_dt_err_str("+");
	tk_dt_err_num(r->size, 16);
	tk_dt_err_str(why);
	return err;
}

/* Find the 'ranges' entry of bus that holds all of r and move r into the
 * address space of bus's parent (devicetree spec 2.3.8). */
static int map_range(const void *fdt, int node, int bus, int up, const uint8_t *p, int len,
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
		uint64_t child = cells_val(p + e, cac);
		uint64_t parent = cells_val(p + e + cac * 4, pac);
		uint64_t size = cells_val(p + e + (cac + pac) * 4, csc);
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

/* Translate r from the address space of bus up to the CPU's (the root's). */
static int translate(const void *fdt, int node, int bus, struct tk_dt_reg *r)
{
	for (;;) {
		const uint8_t *ranges;
		int len, rc, up;

		if (r->size > UINT64_MAX - r->addr)
			return region_err(fdt, node, r, " overflows 64 bits", -EOVERFLOW);
		up = fast_parent(fdt, bus);
		if (up < 0)
			return 0; /* bus is the root: CPU physical addresses */
		ranges = fdt_getprop(fdt, bus, "ranges", &len);
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

int tk_dt_reg(const void *fdt, int node, struct tk_dt_reg *out, int max)
{
	uint32_t ac, sc;
	int len, n, rc;
	int bus = parent_of(fdt, node);
	const uint8_t *p;

	if (bus < 0)
		return bus;
	rc = bus_cells(fdt, bus, &ac, &sc);
	if (rc)
		return rc;
	p = get_prop(fdt, node, "reg", &len);
	if (!p)
		return len;
	rc = tuple_check(fdt, node, "reg", len, ac, ac + sc, sc);
	if (rc)
		return rc;
	n = len / (int)((ac + sc) * 4);
	if (n > max) {
		len_err(fdt, node, "reg", len, "more entries than the ");
		tk_dt_err_num(max < 0 ? 0 : (uint64_t)max, 10);
		tk_dt_err_str(" expected");
		return -E2BIG;
	}
	for (int i = 0; i < n; i++, p += (ac + sc) * 4) {
		out[i].addr = cells_val(p, ac);
		out[i].size = cells_val(p + ac * 4, sc);
		rc = translate(fdt, node, bus, &out[i]);
		if (rc)
			return rc;
	}
	return n;
}

/* ---- interrupts ------------------------------------------------------- */

/* The node a phandle in node's property prop refers to; -ENXIO if none. */
static int phandle_node(const void *fdt, int node, const char *prop, uint32_t ph)
{
	/* Devices mostly name the same controller: remember the last answer. */
	static const void *memo_fdt;
	static uint32_t memo_ph;
	static int memo_node;
	int target;

	if (fdt == memo_fdt && ph == memo_ph)
		return memo_node;
	target = -FDT_ERR_NOTFOUND;
	if (fdt == idx.fdt) {
		for (int i = 0; i < idx.n && target < 0; i++)
			if (ph && idx.phandle[i] == ph)
				target = idx.off[i];
	} else {
		target = fdt_node_offset_by_phandle(fdt, ph);
	}
	if (target >= 0) {
		memo_fdt = fdt;
		memo_ph = ph;
		memo_node = target;
	}

	if (target >= 0)
		return target;
	prop_err(fdt, node, prop, "refers to phandle ", -ENXIO);
	tk_dt_err_num(ph, 16);
	tk_dt_err_str(", which no node has");
	return -ENXIO;
}

int tk_dt_prop_phandle(const void *fdt, int node, const char *name, int *target)
{
	int len;
	const uint8_t *p = get_prop(fdt, node, name, &len);

	if (!p)
		return len;
	if (len < 4 || len % 4)
		return len_err(fdt, node, name, len, "not a list of cells");
	int t = phandle_node(fdt, node, name, be32(p));

	if (t < 0)
		return t;
	*target = t;
	return 0;
}

bool tk_dt_prop_bool(const void *fdt, int node, const char *name)
{
	return fdt_getprop(fdt, node, name, NULL) != NULL;
}

/* interrupt-parent is inherited (devicetree spec 2.4.1): the nearest of
 * node and its ancestors that has one decides. */
static int irq_parent(const void *fdt, int node)
{
	for (int cur = node; cur >= 0; cur = fast_parent(fdt, cur)) {
		int len;
		const uint8_t *p = fdt_getprop(fdt, cur, "interrupt-parent", &len);

		if (!p)
			continue;
		if (len != 4)
			return len_err(fdt, cur, "interrupt-parent", len, "not 4");
		return phandle_node(fdt, node, "interrupt-parent", be32(p));
	}
	return prop_err(fdt, node, "interrupts", "has no interrupt-parent in any ancestor",
			-ENXIO);
}

/* "<node>: interrupt parent <ctl> <why>" -> -EINVAL */
COLD static int ctl_err(const void *fdt, int node, int ctl, const char *why)
{
	tk_dt_err_begin(fdt, node);
	tk_dt_err_str("interrupt parent ");
	tk_dt_err_str(fdt_get_name(fdt, ctl, NULL));
	tk_dt_err_str(why);
	return -EINVAL;
}

/* The #interrupt-cells of controller ctl, which must be one. */
static int irq_cells(const void *fdt, int node, int ctl, uint32_t *nc)
{
	int len;
	const uint8_t *p;

	if (!fdt_getprop(fdt, ctl, "interrupt-controller", NULL))
		return ctl_err(fdt, node, ctl, " has no 'interrupt-controller'");
	p = fdt_getprop(fdt, ctl, "#interrupt-cells", &len);
	if (!p || len != 4)
		return ctl_err(fdt, node, ctl, " has no valid '#interrupt-cells'");
	*nc = be32(p);
	if (*nc < 1 || *nc > TK_DT_MAX_IRQ_CELLS) {
		ctl_err(fdt, node, ctl, " has '#interrupt-cells' = ");
		tk_dt_err_num(*nc, 10);
		tk_dt_err_str(", not 1..4");
		return -EINVAL;
	}
	return 0;
}

static void irq_fill(struct tk_dt_irq *irq, int ctl, uint32_t nc, const uint8_t *p)
{
	irq->parent = ctl;
	irq->ncells = nc;
	memset(irq->cells, 0, sizeof(irq->cells));
	for (uint32_t i = 0; i < nc; i++)
		irq->cells[i] = be32(p + 4 * i);
}

COLD static int too_many_irqs(const void *fdt, int node, const char *prop, int max)
{
	prop_err(fdt, node, prop, "has more entries than the ", -E2BIG);
	tk_dt_err_num(max < 0 ? 0 : (uint64_t)max, 10);
	tk_dt_err_str(" expected");
	return -E2BIG;
}

/* 'interrupts-extended': <phandle cells...> per entry, each its own controller. */
static int irqs_extended(const void *fdt, int node, const uint8_t *p, int len,
			 struct tk_dt_irq *out, int max)
{
	static const char prop[] = "interrupts-extended";
	int n = 0;

	for (int off = 0; off < len; n++) {
		uint32_t nc;
		int ctl, rc;

		if (len - off < 4)
			return len_err(fdt, node, prop, len, "ends inside a phandle");
		ctl = phandle_node(fdt, node, prop, be32(p + off));
		if (ctl < 0)
			return ctl;
		rc = irq_cells(fdt, node, ctl, &nc);
		if (rc)
			return rc;
		off += 4;
		if ((uint32_t)(len - off) < nc * 4)
			return len_err(fdt, node, prop, len, "ends inside an entry's cells");
		if (n >= max)
			return too_many_irqs(fdt, node, prop, max);
		irq_fill(&out[n], ctl, nc, p + off);
		off += (int)nc * 4;
	}
	return n;
}

int tk_dt_irqs(const void *fdt, int node, struct tk_dt_irq *out, int max)
{
	uint32_t nc;
	int len, ctl, n, rc;
	const uint8_t *p = fdt_getprop(fdt, node, "interrupts-extended", &len);

	/* interrupts-extended wins over interrupts (devicetree spec 2.4.1.3). */
	if (p)
		return irqs_extended(fdt, node, p, len, out, max);
	p = get_prop(fdt, node, "interrupts", &len);
	if (!p)
		return len;
	ctl = irq_parent(fdt, node);
	if (ctl < 0)
		return ctl;
	rc = irq_cells(fdt, node, ctl, &nc);
	if (rc)
		return rc;
	if ((uint32_t)len % (nc * 4)) {
		len_err(fdt, node, "interrupts", len, "not a multiple of #interrupt-cells=");
		tk_dt_err_num(nc, 10);
		tk_dt_err_str(" cells");
		return -EINVAL;
	}
	n = len / (int)(nc * 4);
	if (n > max)
		return too_many_irqs(fdt, node, "interrupts", max);
	for (int i = 0; i < n; i++)
		irq_fill(&out[i], ctl, nc, p + (size_t)i * nc * 4);
	return n;
}

/* ---- node identity ---------------------------------------------------- */

int tk_dt_depth(const void *fdt, int node)
{
	int depth = fdt_node_depth(fdt, node);

	if (depth >= 0)
		return depth;
	tk_dt_err_begin(NULL, -1);
	tk_dt_err_str("no node at offset ");
	err_int(node);
	return -EINVAL;
}

/* The path from the index: names of node and its ancestors, right to left. */
static int idx_path(const void *fdt, int i, char *buf, size_t len)
{
	size_t pos = len;

	if (len == 0)
		return -FDT_ERR_NOSPACE;
	buf[--pos] = 0;
	for (; i >= 0 && idx.parent[i] >= 0; i = idx_find(fdt, idx.parent[i])) {
		int n;
		const char *name = fdt_get_name(fdt, idx.off[i], &n);

		if (!name)
			return n;
		if ((size_t)n + 1 > pos)
			return -FDT_ERR_NOSPACE;
		pos -= (size_t)n;
		memcpy(buf + pos, name, (size_t)n);
		buf[--pos] = '/';
	}
	if (i < 0)
		return -FDT_ERR_INTERNAL;
	if (pos == len - 1)	/* the root itself */
		buf[--pos] = '/';
	memmove(buf, buf + pos, len - pos);
	return 0;
}

/* The path, or a libfdt error; sets no error text (tk_dt_last_error uses it). */
static int path_quiet(const void *fdt, int node, char *buf, size_t len)
{
	int i = idx_find(fdt, node);

	/* libfdt takes an int; no path is longer than the largest DTB. */
	return i >= 0 ? idx_path(fdt, i, buf, len)
		      : fdt_get_path(fdt, node, buf, (int)(len < TK_DT_MAX_SIZE ? len : TK_DT_MAX_SIZE));
}

int tk_dt_path(const void *fdt, int node, char *buf, size_t len)
{
	int rc = path_quiet(fdt, node, buf, len);

	if (rc == 0)
		return 0;
	rc = fdt_errno(rc);
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
