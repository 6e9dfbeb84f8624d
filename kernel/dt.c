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

#include "dt_impl.h"

#define ERR_LEN 256


/* The last failure; one buffer because boot is single-threaded. The node's
 * path is put in front only when the text is asked for: a missing optional
 * property is an ordinary answer on the boot path, and fdt_get_path walks
 * the blob from the start. */
static char err_buf[ERR_LEN] = "no devicetree error";
/* strlen(err_buf), kept: a missing optional property (an ordinary answer,
 * x86's probes meet fifteen) wrote its text in four appends, each of which
 * measured the text so far again. */
static size_t err_used = sizeof("no devicetree error") - 1;
static char err_text[ERR_LEN];
static const void *err_fdt;
static int err_node = -1;
/* When set, the text is "'<missing>' is missing", not yet written: a
 * missing optional property is an ordinary answer (x86's probes meet
 * fifteen, 3.8k instructions of texts nobody read). Only for a name that
 * cannot change (dt_immutable: a string literal); written out before
 * anything is appended and when the text is asked for. */
static const char *missing;

/* ---- error text ------------------------------------------------------- */

static void write_missing(void);

COLD static void err_strn(const char *s, size_t n)
{
	if (missing)
		write_missing();
	if (n > ERR_LEN - 1 - err_used)
		n = ERR_LEN - 1 - err_used; /* truncate rather than fail: it is a diagnostic */
	memcpy(err_buf + err_used, s, n);
	err_used += n;
	err_buf[err_used] = '\0';
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

COLD void tk_dt_err_cells(const uint32_t *c, uint32_t n)
{
	tk_dt_err_str("<");
	for (uint32_t i = 0; c && i < n; i++) {
		if (i)
			tk_dt_err_str(" ");
		tk_dt_err_num(c[i], 10);
	}
	tk_dt_err_str(">");
}

COLD void tk_dt_err_begin(const void *fdt, int node)
{
	missing = NULL;
	err_buf[0] = '\0';
	err_used = 0;
	err_fdt = fdt;
	err_node = node;
}

const char *tk_dt_last_error(void)
{
	size_t n;

	if (missing)
		write_missing();
	if (err_node < 0)
		return err_buf;
	if (dt_path_quiet(err_fdt, err_node, err_text, ERR_LEN) < 0)
		memcpy(err_text, "(node with no valid path)", 26);
	n = strlen(err_text);
	if (n + 2 < ERR_LEN) {
		memcpy(err_text + n, ": ", 3);
		n += 2;
	}
	size_t rest = err_used;

	if (rest > ERR_LEN - 1 - n)
		rest = ERR_LEN - 1 - n;
	memcpy(err_text + n, err_buf, rest);
	err_text[n + rest] = 0;
	return err_text;
}

COLD static void write_missing(void)
{
	const char *prop = missing;

	missing = NULL;
	tk_dt_err_str("'");
	tk_dt_err_str(prop);
	tk_dt_err_str("' is missing");
}

/* "<node>: '<prop>' <what>" and the error code, for one-line returns. */
COLD int dt_prop_err(const void *fdt, int node, const char *prop, const char *what, int err)
{
	tk_dt_err_begin(fdt, node);
	tk_dt_err_str("'");
	tk_dt_err_str(prop);
	tk_dt_err_str("' ");
	tk_dt_err_str(what);
	return err;
}

/* "<node>: '<prop>' is <len> bytes, <what>" -> -EINVAL */
COLD int dt_len_err(const void *fdt, int node, const char *prop, int len, const char *what)
{
	dt_prop_err(fdt, node, prop, "is ", -EINVAL);
	tk_dt_err_num((uint64_t)len, 10);
	tk_dt_err_str(" bytes, ");
	tk_dt_err_str(what);
	return -EINVAL;
}

/* libfdt's error codes as the errno values of our contracts. */
int dt_fdt_errno(int err)
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

/* ---- properties ------------------------------------------------------- */

/* A value of n (<= 2) big-endian cells. */
/* fdt_getprop that explains a missing property or a bad node offset. */
void dt_prop_failed(const void *fdt, int node, const char *name, int *len)
{
	int err = dt_fdt_errno(*len);

	if (err == -ENOENT && dt_immutable(name)) {
		tk_dt_err_begin(fdt, node);
		missing = name;
		*len = err;
	} else {
		*len = dt_prop_err(fdt, node, name, err == -ENOENT ? "is missing"
					       : "cannot be read (bad node)", err);
	}
}

const uint8_t *dt_get_prop(const void *fdt, int node, const char *name, int *len)
{
	const uint8_t *p = dt_getprop(fdt, node, name, len);

	if (!p)
		dt_prop_failed(fdt, node, name, len);
	return p;
}

int tk_dt_prop_u32(const void *fdt, int node, const char *name, uint32_t *out)
{
	int len;
	const uint8_t *p = dt_get_prop(fdt, node, name, &len);

	if (!p)
		return len;
	if (len != 4)
		return dt_len_err(fdt, node, name, len, "not 4");
	*out = dt_be32(p);
	return 0;
}

int tk_dt_prop_u64(const void *fdt, int node, const char *name, uint64_t *out)
{
	int len;
	const uint8_t *p = dt_get_prop(fdt, node, name, &len);

	if (!p)
		return len;
	if (len != 4 && len != 8)
		return dt_len_err(fdt, node, name, len, "not 4 or 8");
	*out = dt_cells_val(p, (uint32_t)len / 4);
	return 0;
}

int tk_dt_prop_str(const void *fdt, int node, const char *name, const char **out)
{
	int len;
	const char *p = (const char *)dt_get_prop(fdt, node, name, &len);

	if (!p)
		return len;
	if (len == 0 || p[0] == '\0')
		return dt_prop_err(fdt, node, name, "is an empty string", -EINVAL);
	/* Without a NUL inside the value, strlen() would run into the next tag. */
	if (!memchr(p, '\0', (size_t)len))
		return dt_prop_err(fdt, node, name, "is not NUL-terminated", -EINVAL);
	*out = p;
	return 0;
}

/* Property value equals the string want, terminator included. */
static bool prop_is(const char *v, int len, const char *want)
{
	size_t n = strlen(want) + 1;

	return v && len == (int)n && memcmp(v, want, n) == 0;
}

bool dt_status_enabled(const char *s, int len)
{
	/* Absent means enabled (devicetree spec 2.3.4); a bad node is not. */
	if (!s)
		return len == -FDT_ERR_NOTFOUND;
	return prop_is(s, len, "okay") || prop_is(s, len, "ok");
}

bool tk_dt_node_enabled(const void *fdt, int node)
{
	int len;
	const char *s = dt_getprop_hot(fdt, node, DT_HOT_STATUS, &len);

	return dt_status_enabled(s, len);
}

/* compat's position in list (len bytes, NUL-terminated: checked), as
 * fdt_stringlist_search finds it, in the value already at hand (that call
 * looked the property up again, with libfdt: 750 instructions). */
static int list_index(const char *list, int len, const char *compat)
{
	size_t n = strlen(compat) + 1;

	for (int idx = 0, off = 0; off < len; idx++) {
		size_t l = strnlen(list + off, (size_t)(len - off)) + 1;

		if (l == n && !memcmp(list + off, compat, n))
			return idx;
		off += (int)l;
	}
	return -ENOENT;
}

/* An absent compatible or a non-match is an answer, not a failure: the
 * device model asks this for every node and driver, so it stays silent
 * (and cheap) on -ENOENT. */
int tk_dt_compat_index(const void *fdt, int node, const char *compat)
{
	int len;
	const char *list = dt_getprop_hot(fdt, node, DT_HOT_COMPATIBLE, &len);

	if (!compat)
		return -EINVAL;
	if (!list)
		return len == -FDT_ERR_NOTFOUND ? -ENOENT : dt_fdt_errno(len);
	if (len > 0 && list[len - 1] != '\0')
		return dt_prop_err(fdt, node, "compatible", "is not a NUL-terminated string list",
				-EINVAL);
	return list_index(list, len, compat);
}

/* ---- finding nodes ---------------------------------------------------- */


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
		node = dt_sub_node(fdt, node, p, (int)(q - p));
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
	int aliases = dt_sub_node(fdt, 0, "aliases", 7);
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
