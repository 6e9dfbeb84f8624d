/*
 * kernel/dt_raw.c: the raw lookups x86's DT merges make on a blob not yet
 * validated give libfdt's answers (the same child, the same bytes
 * at the same address, the same "not found") on the fixtures and every
 * board's upstream DTB (the root's cells too, edited as well), and refuse
 * a header libfdt refuses.
 */
#include <errno.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

#include "dt_impl.h"

static const char *const props[] = {
	"clock-frequency", "compatible", "reg", "status", "interrupts", "phandle", "no-such-prop",
};

/* The root's cells: as fdt_address_cells and fdt_size_cells say. */
static void root_cells_as_libfdt(const void *fdt)
{
	for (uint32_t a = 0; a < 4; a++)
		for (uint32_t s = 0; s < 4; s++)
			assert_int_equal(dt_raw_root_cells_are(fdt, a, s),
					 fdt_address_cells(fdt, 0) == (int)a &&
						 fdt_size_cells(fdt, 0) == (int)s);
}

/* name as fdt_subnode_offset finds it under parent. */
static void subnode_as_libfdt(const void *fdt, int parent, const char *name)
{
	int a = dt_raw_subnode(fdt, parent, name), b = fdt_subnode_offset(fdt, parent, name);

	if (a != b)
		fail_msg("node %d child '%s': %d, libfdt %d", parent, name, a, b);
}

/* Under every node: each child by its name and by its name without the
 * unit address, and names no child has. */
static void subnodes_as_libfdt(const void *fdt)
{
	static const char *const none[] = { "no-such-node", "", "memory", "cpus", "cpu@0", "@0" };

	for (int node = 0; node >= 0; node = fdt_next_node(fdt, node, NULL)) {
		int child;

		fdt_for_each_subnode(child, fdt, node) {
			char base[64];
			const char *name = fdt_get_name(fdt, child, NULL);

			subnode_as_libfdt(fdt, node, name);
			snprintf(base, sizeof(base), "%.*s", (int)strcspn(name, "@"), name);
			subnode_as_libfdt(fdt, node, base);
		}
		for (unsigned k = 0; k < sizeof(none) / sizeof(none[0]); k++)
			subnode_as_libfdt(fdt, node, none[k]);
	}
}

/* Every child and every property of every node: as libfdt. */
static void same_as_libfdt(const void *fdt)
{
	root_cells_as_libfdt(fdt);
	subnodes_as_libfdt(fdt);
	for (int node = 0; node >= 0; node = fdt_next_node(fdt, node, NULL))
		for (unsigned k = 0; k < sizeof(props) / sizeof(props[0]); k++) {
			int la = -12345, lb = -12345;
			const void *a = dt_raw_getprop(fdt, node, props[k], &la);
			const void *b = fdt_getprop(fdt, node, props[k], &lb);

			if (a != b || (b && la != lb) || (!b && la != -FDT_ERR_NOTFOUND))
				fail_msg("node %d '%s': %p/%d, libfdt %p/%d", node, props[k], a, la, b,
					 lb);
		}
}

/* dt_name_scan of s (max bytes) as a byte loop finds it. */
static void scan_as_bytes(const char *s, uint32_t max)
{
	uint32_t want = 0;
	bool want_slash = false, slash = false;

	while (want < max && s[want]) {
		if (s[want] == '/')
			want_slash = true;
		want++;
	}
	assert_int_equal(dt_name_scan(s, max, &slash), want);
	assert_int_equal(slash, want_slash);
}

/* dt_name_scan (the walk's node names, eight bytes a step) against a byte
 * loop: every NUL position 0..max and none, a '/' before, at and after it,
 * at every offset around the 8-byte steps, and a buffer with no slack past
 * max (ASan: nothing read beyond). */
static void test_name_scan_as_bytes(void **state)
{
	(void)state;
	for (uint32_t max = 0; max <= 26; max++)
		for (uint32_t nul = 0; nul <= max; nul++)
			for (int slash_at = -1; slash_at < (int)max; slash_at++) {
				char *s = malloc(max ? max : 1);

				memset(s, 'a', max);
				if (slash_at >= 0)
					s[slash_at] = '/';
				if (nul < max)
					s[nul] = 0;
				scan_as_bytes(s, max);
				free(s);
			}
}

/* The same on bytes of every value (high bits set, '/' ^ 0x80, several
 * '/' and NULs), from a fixed seed. */
static void test_name_scan_random_bytes(void **state)
{
	static const char pick[] = { 0, '/', 'a', '@', (char)0xaf, (char)0x80, (char)0xff, 0x01 };
	unsigned seed = 12345;

	(void)state;
	for (int round = 0; round < 20000; round++) {
		uint32_t max = (seed = seed * 1103515245u + 12345u) >> 16 & 31;
		char *s = malloc(max ? max : 1);

		for (uint32_t i = 0; i < max; i++) {
			seed = seed * 1103515245u + 12345u;
			/* mostly name bytes, so NULs come late as often as early */
			s[i] = (seed >> 16) % 4 ? pick[2 + (seed >> 20) % 6] : pick[(seed >> 20) % 2];
		}
		scan_as_bytes(s, max);
		free(s);
	}
}

static void test_fixtures(void **state)
{
	static const char *const names[] = { "virt", "bus", "memory", "microvm_base", "microvm_qemu" };

	(void)state;
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		void *fdt = dtb_load(names[i]);

		same_as_libfdt(fdt);
		free(fdt);
	}
}

static void test_boards(void **state)
{
	static const char *const dtbs[] = {
		"broadcom/bcm2837-rpi-3-b", "broadcom/bcm2711-rpi-4-b", "xilinx/zynqmp-zcu102-rev1.0",
	};
	(void)state;
	for (unsigned i = 0; i < sizeof(dtbs) / sizeof(dtbs[0]); i++) {
		void *fdt = board_dtb(dtbs[i]);

		same_as_libfdt(fdt);
		free(fdt);
	}
}

/* A root without its cells (libfdt's defaults, 2 and 1), or with a cell
 * of another length (libfdt: an error, so never 2 and 2). */
static void test_root_cells_edited(void **state)
{
	void *fdt = dtb_edit(dtb_load("microvm_base"));
	static const uint8_t eight[8] = { 0, 0, 0, 0, 0, 0, 0, 2 };

	(void)state;
	assert_true(dt_raw_root_cells_are(fdt, 2, 2));
	assert_int_equal(fdt_delprop(fdt, 0, "#size-cells"), 0);
	root_cells_as_libfdt(fdt);
	assert_true(dt_raw_root_cells_are(fdt, 2, 1));
	assert_int_equal(fdt_delprop(fdt, 0, "#address-cells"), 0);
	root_cells_as_libfdt(fdt);
	assert_true(dt_raw_root_cells_are(fdt, 2, 1));
	assert_int_equal(fdt_setprop(fdt, 0, "#address-cells", eight, sizeof(eight)), 0);
	root_cells_as_libfdt(fdt);
	assert_false(dt_raw_root_cells_are(fdt, 2, 1));
	fdt_set_magic(fdt, 0);	/* a header libfdt refuses: no answer is yes */
	assert_false(dt_raw_root_cells_are(fdt, 2, 1));
	free(fdt);
}

/* A header libfdt's check refuses, or version 16: nothing read past it. */
static void test_bad_header(void **state)
{
	void *fdt = dtb_load("microvm_base");
	int len = 0;

	(void)state;
	fdt_set_magic(fdt, 0x12345678);
	assert_null(dt_raw_getprop(fdt, 0, "compatible", &len));
	assert_int_equal(len, -FDT_ERR_BADSTATE);
	assert_int_equal(dt_raw_subnode(fdt, 0, "cpus"), -FDT_ERR_BADSTATE);
	fdt_set_magic(fdt, FDT_MAGIC);
	assert_int_equal(dt_raw_subnode(fdt, -1, "cpus"), -FDT_ERR_BADOFFSET);
	assert_int_equal(dt_raw_subnode(fdt, 8, "cpus"), -FDT_ERR_BADOFFSET);	/* the root's first property */
	fdt_set_version(fdt, 16);
	assert_int_equal(dt_raw_subnode(fdt, 0, "cpus"), -FDT_ERR_BADSTATE);
	free(fdt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_scan_as_bytes),
		cmocka_unit_test(test_name_scan_random_bytes),
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_boards),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_root_cells_edited),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
