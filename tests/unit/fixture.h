/*
 * Shared helpers of the DT unit tests: load a fixture DTB into a buffer of
 * exactly its size (so ASan catches any read past the blob), edit it with
 * libfdt's read-write API, and seal it back into an exact-size buffer.
 */
#ifndef TAKT_UNIT_FIXTURE_H
#define TAKT_UNIT_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libfdt.h>

#include <takt/dt.h>

#ifndef TAKT_DTB_DIR
#error "TAKT_DTB_DIR must name the directory of the compiled fixtures"
#endif

/* Nodes the tests name: the UART of the virt fixture, the bus of bus.dts. */
#define PL011 "/pl011@9000000"
#define SOC "/soc@10000000"

/* Copy of the DTB file at path, exact size, validated by the kernel's checks. */
static inline void *dtb_load_file(const char *path)
{
	FILE *f;
	long size;
	void *buf;

	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size > 0);
	rewind(f);
	buf = malloc((size_t)size);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	assert_int_equal(tk_dt_validate(buf, (size_t)size), 0);
	return buf;
}

/* Copy of a compiled fixture (tests/unit/dts/<name>.dts), exact size. */
static inline void *dtb_load(const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s.dtb", TAKT_DTB_DIR, name);
	return dtb_load_file(path);
}

#ifdef TAKT_BOARD_DTB_DIR
#include <unistd.h>

/* A board's upstream DTB from the set-up cache (./takt setup fetches them). */
static inline void *board_dtb(const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s.dtb", TAKT_BOARD_DTB_DIR, name);
	if (access(path, R_OK) != 0)
		fail_msg("%s missing: run ./takt setup (it fetches the upstream DTBs)", path);
	return dtb_load_file(path);
}
#endif

/* Reopen fdt with room to grow; frees the old buffer. */
static inline void *dtb_edit(void *fdt)
{
	int size = (int)fdt_totalsize(fdt) + 4096;
	void *buf = malloc((size_t)size);

	assert_non_null(buf);
	assert_int_equal(fdt_open_into(fdt, buf, size), 0);
	free(fdt);
	return buf;
}

/* Pack an edited blob into an exact-size buffer; frees the old one. */
static inline void *dtb_seal(void *fdt)
{
	void *buf;

	assert_int_equal(fdt_pack(fdt), 0);
	buf = malloc(fdt_totalsize(fdt));
	assert_non_null(buf);
	memcpy(buf, fdt, fdt_totalsize(fdt));
	free(fdt);
	return buf;
}

static inline int dt_node(const void *fdt, const char *path)
{
	int node = fdt_path_offset(fdt, path);

	if (node < 0)
		fail_msg("fixture has no node %s", path);
	return node;
}

/* Set prop of the node at path to n big-endian cells (n may be 0). */
static inline void set_cells(void *fdt, const char *path, const char *prop, int n, ...)
{
	fdt32_t cells[16];
	va_list ap;

	assert_true(n <= 16);
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		cells[i] = cpu_to_fdt32(va_arg(ap, uint32_t));
	va_end(ap);
	assert_int_equal(fdt_setprop(fdt, dt_node(fdt, path), prop, cells, n * 4), 0);
}

static inline void set_bytes(void *fdt, const char *path, const char *prop, const void *v, int len)
{
	assert_int_equal(fdt_setprop(fdt, dt_node(fdt, path), prop, v, len), 0);
}

static inline void del_prop(void *fdt, const char *path, const char *prop)
{
	assert_int_equal(fdt_delprop(fdt, dt_node(fdt, path), prop), 0);
}

/* The failure text names what it should (node path, property). */
#define assert_error_mentions(s)                                                                   \
	do {                                                                                       \
		if (!strstr(tk_dt_last_error(), (s)))                                              \
			fail_msg("tk_dt_last_error() \"%s\" does not mention \"%s\"",             \
				 tk_dt_last_error(), (s));                                         \
	} while (0)

#endif /* TAKT_UNIT_FIXTURE_H */
