/*
 * kernel/dt.c: checked property access, node lookup, cells, paths, and
 * every accessor on every single-byte corruption, on good fixtures and on
 * DTBs broken in every way the contract names. Each failure asserts the
 * exact errno and that tk_dt_last_error() names the node. 'reg'
 * translation is test_dt_reg.c, interrupt resolution test_dt_irqs.c.
 */
#include <errno.h>

#include "fixture.h"

#include "dt_impl.h"

#include "memmap.h"

static void test_prop_u32_reads_value_and_checks_length(void **state)
{
	void *fdt = dtb_load("virt");
	int uart = dt_node(fdt, PL011);
	uint32_t v = 0;

	(void)state;
	assert_int_equal(tk_dt_prop_u32(fdt, uart, "clock-frequency", &v), 0);
	assert_int_equal(v, 24000000);
	assert_int_equal(tk_dt_prop_u32(fdt, uart, "no-such-prop", &v), -ENOENT);
	assert_error_mentions(PL011 ": 'no-such-prop' is missing");
	assert_int_equal(tk_dt_prop_u32(fdt, uart, "reg", &v), -EINVAL);
	assert_error_mentions(PL011 ": 'reg' is 16 bytes, not 4");
	free(fdt);
}

static void test_prop_u64_accepts_4_and_8_bytes_only(void **state)
{
	void *fdt = dtb_load("virt");
	int psci = dt_node(fdt, "/psci");
	uint64_t v = 0;

	(void)state;
	assert_int_equal(tk_dt_prop_u64(fdt, psci, "big-value", &v), 0);
	assert_int_equal(v, 0x123456789abcdef0ull);
	assert_int_equal(tk_dt_prop_u64(fdt, dt_node(fdt, PL011), "clock-frequency", &v), 0);
	assert_int_equal(v, 24000000);
	assert_int_equal(tk_dt_prop_u64(fdt, psci, "compatible", &v), -EINVAL); /* 13 bytes */
	assert_error_mentions("/psci: 'compatible' is 13 bytes, not 4 or 8");
	free(fdt);
}

static void test_prop_u64_rejects_odd_length(void **state)
{
	void *fdt = dtb_edit(dtb_load("virt"));
	uint64_t v;

	(void)state;
	set_bytes(fdt, "/psci", "odd", "12345", 5);
	fdt = dtb_seal(fdt);
	assert_int_equal(tk_dt_prop_u64(fdt, dt_node(fdt, "/psci"), "odd", &v), -EINVAL);
	assert_error_mentions("/psci: 'odd' is 5 bytes");
	free(fdt);
}

static void test_prop_str_reads_string(void **state)
{
	void *fdt = dtb_load("virt");
	const char *s = NULL;

	(void)state;
	assert_int_equal(tk_dt_prop_str(fdt, dt_node(fdt, "/chosen"), "stdout-path", &s), 0);
	assert_string_equal(s, "serial0:115200n8");
	free(fdt);
}

static void test_prop_str_rejects_unterminated_string(void **state)
{
	void *fdt = dtb_edit(dtb_load("virt"));
	const char *s = NULL;

	(void)state;
	set_bytes(fdt, "/chosen", "stdout-path", "serial0", 7); /* no NUL */
	fdt = dtb_seal(fdt);
	assert_int_equal(tk_dt_prop_str(fdt, dt_node(fdt, "/chosen"), "stdout-path", &s), -EINVAL);
	assert_null(s);
	assert_error_mentions("/chosen: 'stdout-path' is not NUL-terminated");
	free(fdt);
}

static void test_prop_str_rejects_empty_string(void **state)
{
	void *fdt = dtb_edit(dtb_load("virt"));
	const char *s = NULL;

	(void)state;
	set_bytes(fdt, "/chosen", "bootargs", "", 1);
	set_bytes(fdt, "/chosen", "flag", NULL, 0);
	fdt = dtb_seal(fdt);
	assert_int_equal(tk_dt_prop_str(fdt, dt_node(fdt, "/chosen"), "bootargs", &s), -EINVAL);
	assert_error_mentions("/chosen: 'bootargs' is an empty string");
	assert_int_equal(tk_dt_prop_str(fdt, dt_node(fdt, "/chosen"), "flag", &s), -EINVAL);
	free(fdt);
}

static void test_node_enabled_accepts_absent_okay_and_ok_only(void **state)
{
	void *fdt = dtb_edit(dtb_load("virt"));

	(void)state;
	set_bytes(fdt, "/timer", "status", "okay", 4); /* unterminated: not "okay" */
	fdt = dtb_seal(fdt);
	assert_true(tk_dt_node_enabled(fdt, dt_node(fdt, PL011)));          /* "okay" */
	assert_true(tk_dt_node_enabled(fdt, dt_node(fdt, "/psci")));        /* "ok" */
	assert_true(tk_dt_node_enabled(fdt, dt_node(fdt, "/chosen")));      /* absent */
	assert_false(tk_dt_node_enabled(fdt, dt_node(fdt, "/pl031@9010000"))); /* "disabled" */
	assert_false(tk_dt_node_enabled(fdt, dt_node(fdt, "/timer")));
	assert_false(tk_dt_node_enabled(fdt, -1));
	free(fdt);
}

static void test_compat_index_gives_position_in_list(void **state)
{
	void *fdt = dtb_load("virt");
	int uart = dt_node(fdt, PL011);

	(void)state;
	assert_int_equal(tk_dt_compat_index(fdt, uart, "arm,pl011"), 0);
	assert_int_equal(tk_dt_compat_index(fdt, uart, "arm,primecell"), 1);
	assert_int_equal(tk_dt_compat_index(fdt, uart, "arm,pl01"), -ENOENT);
	assert_int_equal(tk_dt_compat_index(fdt, dt_node(fdt, "/chosen"), "arm,pl011"), -ENOENT);
	free(fdt);
}

/* Every node's every compatible string, its prefixes and others: the
 * position fdt_stringlist_search gives (its "not found" as -ENOENT), on
 * the fixtures and an edited list with an empty and a repeated entry. */
static void compat_index_as_libfdt(const void *fdt)
{
	static const char *const others[] = { "", "arm,pl01", "virtio,mmio", "no,such" };

	for (int node = 0; node >= 0; node = fdt_next_node(fdt, node, NULL)) {
		int len;
		const char *list = fdt_getprop(fdt, node, "compatible", &len);
		char probe[80];

		for (int off = 0; list && off < len; off += (int)strlen(list + off) + 1) {
			for (size_t cut = 0; cut <= strlen(list + off) && cut < sizeof(probe); cut++) {
				int want = fdt_stringlist_search(fdt, node, "compatible",
								 (snprintf(probe, sizeof(probe), "%.*s",
									   (int)cut, list + off), probe));

				assert_int_equal(tk_dt_compat_index(fdt, node, probe),
						 want >= 0 ? want : -ENOENT);
			}
		}
		for (unsigned k = 0; k < sizeof(others) / sizeof(others[0]); k++) {
			int want = fdt_stringlist_search(fdt, node, "compatible", others[k]);

			assert_int_equal(tk_dt_compat_index(fdt, node, others[k]),
					 want >= 0 ? want : -ENOENT);
		}
	}
}

static void test_compat_index_as_libfdt(void **state)
{
	static const char *const names[] = { "virt", "bus", "memory", "microvm_base" };
	void *fdt;

	(void)state;
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		fdt = dtb_load(names[i]);
		compat_index_as_libfdt(fdt);
		free(fdt);
	}
	fdt = dtb_edit(dtb_load("virt"));
	set_bytes(fdt, PL011, "compatible", "arm,pl011\0\0arm,pl011\0x\0", 23);
	fdt = dtb_seal(fdt);
	compat_index_as_libfdt(fdt);
	assert_int_equal(tk_dt_compat_index(fdt, dt_node(fdt, PL011), ""), 1);
	assert_int_equal(tk_dt_compat_index(fdt, dt_node(fdt, PL011), "x"), 3);
	free(fdt);
}

static void test_compat_index_rejects_unterminated_list(void **state)
{
	void *fdt = dtb_edit(dtb_load("virt"));

	(void)state;
	set_bytes(fdt, PL011, "compatible", "arm,pl011\0arm,prime", 19);
	fdt = dtb_seal(fdt);
	/* Even a match before the broken tail must not be trusted. */
	assert_int_equal(tk_dt_compat_index(fdt, dt_node(fdt, PL011), "arm,pl011"), -EINVAL);
	assert_error_mentions(PL011 ": 'compatible' is not a NUL-terminated string list");
	free(fdt);
}

static void test_find_node_resolves_stdout_path_alias_with_options(void **state)
{
	void *fdt = dtb_load("virt");
	int uart = dt_node(fdt, PL011);

	(void)state;
	assert_int_equal(tk_dt_find_node(fdt, "serial0:115200n8"), uart);
	assert_int_equal(tk_dt_find_node(fdt, "serial0"), uart);
	assert_int_equal(tk_dt_find_node(fdt, PL011 ":115200"), uart);
	assert_int_equal(tk_dt_find_node(fdt, PL011), uart);
	assert_int_equal(tk_dt_find_node(fdt, "/pl011"), uart); /* unit address optional */
	assert_int_equal(tk_dt_find_node(fdt, "/"), 0);
	free(fdt);
}

static void test_find_node_reports_unknown_path_and_alias(void **state)
{
	void *fdt = dtb_load("virt");

	(void)state;
	assert_int_equal(tk_dt_find_node(fdt, "serial1:115200n8"), -ENOENT);
	assert_error_mentions("no node or alias 'serial1'");
	assert_int_equal(tk_dt_find_node(fdt, "/nothing@0"), -ENOENT);
	assert_error_mentions("'/nothing@0'");
	assert_int_equal(tk_dt_find_node(fdt, ""), -ENOENT);
	assert_int_equal(tk_dt_find_node(fdt, ":9600"), -ENOENT);
	assert_int_equal(tk_dt_find_node(fdt, NULL), -EINVAL);
	free(fdt);
}

static void test_find_node_rejects_unterminated_alias(void **state)
{
	void *fdt = dtb_edit(dtb_load("virt"));

	(void)state;
	set_bytes(fdt, "/aliases", "serial0", "/pl011@9000000", 14); /* no NUL */
	fdt = dtb_seal(fdt);
	assert_int_equal(tk_dt_find_node(fdt, "serial0:115200n8"), -ENOENT);
	free(fdt);
}

static void test_parent_cells_reads_bus_and_defaults(void **state)
{
	void *fdt = dtb_edit(dtb_load("bus"));
	uint32_t ac = 0, sc = 0;

	(void)state;
	assert_int_equal(tk_dt_parent_cells(fdt, dt_node(fdt, SOC "/uart@1000"), &ac, &sc), 0);
	assert_int_equal(ac, 1);
	assert_int_equal(sc, 1);
	del_prop(fdt, "/", "#address-cells");
	del_prop(fdt, "/", "#size-cells");
	fdt = dtb_seal(fdt);
	assert_int_equal(tk_dt_parent_cells(fdt, dt_node(fdt, SOC), &ac, &sc), 0);
	assert_int_equal(ac, 2); /* devicetree spec 2.3.5 defaults */
	assert_int_equal(sc, 1);
	assert_int_equal(tk_dt_parent_cells(fdt, 0, &ac, &sc), -EINVAL); /* the root has no bus */
	free(fdt);
}

static void test_parent_cells_rejects_three_cells(void **state)
{
	void *fdt = dtb_edit(dtb_load("bus"));
	uint32_t ac, sc;

	(void)state;
	set_cells(fdt, SOC, "#address-cells", 1, 3);
	fdt = dtb_seal(fdt);
	assert_int_equal(tk_dt_parent_cells(fdt, dt_node(fdt, SOC "/uart@1000"), &ac, &sc), -EINVAL);
	assert_error_mentions(SOC ": '#address-cells' is 3");
	free(fdt);
}

static void test_depth_and_path_describe_the_node(void **state)
{
	void *fdt = dtb_load("bus");
	int button = dt_node(fdt, SOC "/sub@20000000/button@100");
	char path[64];

	(void)state;
	assert_int_equal(tk_dt_depth(fdt, 0), 0);
	assert_int_equal(tk_dt_depth(fdt, button), 3);
	assert_int_equal(tk_dt_path(fdt, button, path, sizeof(path)), 0);
	assert_string_equal(path, SOC "/sub@20000000/button@100");
	assert_int_equal(tk_dt_path(fdt, button, path, 8), -ENOSPC);
	assert_error_mentions("path does not fit in 8 bytes");
	assert_int_equal(tk_dt_depth(fdt, -4), -EINVAL);
	assert_int_equal(tk_dt_path(fdt, 3, path, sizeof(path)), -EINVAL); /* not a node offset */
	free(fdt);
}

static void test_last_error_is_never_null(void **state)
{
	(void)state;
	assert_non_null(tk_dt_last_error());
}

/* ---- never a crash: every single-byte corruption of every fixture ------ */

/* Call every accessor on every node; results must stay within contract. */
static void exercise_all(const void *fdt)
{
	struct tk_dt_reg reg[8];
	struct tk_dt_irq irq[8];
	struct tk_memmap m;
	char path[128];
	int node, guard = 0;

	for (node = fdt_next_node(fdt, -1, NULL); node >= 0 && guard < 256;
	     node = fdt_next_node(fdt, node, NULL), guard++) {
		const char *s;
		uint32_t u32, ac, sc;
		uint64_t u64;

		assert_true(tk_dt_reg(fdt, node, reg, 8) <= 8);
		assert_true(tk_dt_irqs(fdt, node, irq, 8) <= 8);
		if (tk_dt_prop_str(fdt, node, "compatible", &s) == 0)
			assert_true(strlen(s) > 0);
		(void)tk_dt_prop_u32(fdt, node, "#interrupt-cells", &u32);
		(void)tk_dt_prop_u64(fdt, node, "reg", &u64);
		(void)tk_dt_node_enabled(fdt, node);
		(void)tk_dt_compat_index(fdt, node, "arm,pl011");
		(void)tk_dt_parent_cells(fdt, node, &ac, &sc);
		(void)tk_dt_depth(fdt, node);
		(void)tk_dt_path(fdt, node, path, sizeof(path));
	}
	(void)tk_dt_find_node(fdt, "serial0:115200n8");
	(void)tk_dt_find_node(fdt, PL011 ":115200");
	if (tk_memmap_ram_from_dt(fdt, &m) == 0)
		(void)tk_memmap_reserved_from_dt(fdt, &m);
	assert_non_null(tk_dt_last_error());
}

static void sweep_corruptions(const char *name)
{
	void *good = dtb_load(name);
	size_t size = fdt_totalsize(good);
	void *fdt = malloc(size);
	static const uint8_t values[] = { 0x00, 0x01, 0x03, 0xff };

	for (size_t i = 0; i < size; i++) {
		for (size_t v = 0; v < sizeof(values); v++) {
			memcpy(fdt, good, size);
			((uint8_t *)fdt)[i] = values[v];
			if (tk_dt_validate(fdt, size) == 0)
				exercise_all(fdt);
		}
	}
	free(fdt);
	free(good);
}

static void test_every_single_byte_corruption_is_rejected_or_safe(void **state)
{
	(void)state;
	sweep_corruptions("virt");
	sweep_corruptions("bus");
	sweep_corruptions("memory");
}


/* The index's lookups remember recent answers: asked in reverse order, and
 * with a path buffer one byte short, they still answer as libfdt does. */
static void check_index_any_order(const void *fdt, int n, const char *paths, size_t stride)
{
	int *off = calloc((size_t)n, sizeof(*off)), i = 0;
	char path[256];

	assert_non_null(off);
	for (int node = -1; (node = fdt_next_node(fdt, node, NULL)) >= 0;)
		off[i++] = node;
	for (i = n - 1; i >= 0; i--) {
		const char *want = paths + (size_t)i * stride;
		size_t len = strlen(want);

		assert_int_equal(tk_dt_path(fdt, off[i], path, sizeof(path)), 0);
		assert_string_equal(path, want);
		assert_int_equal(tk_dt_path(fdt, off[i], path, len), -ENOSPC);
		assert_int_equal(tk_dt_path(fdt, off[i], path, len + 1), 0);
		if (i)
			assert_int_equal(dt_fast_parent(fdt, off[i]), fdt_parent_offset(fdt, off[i]));
	}
	free(off);
}

/* The node index must answer exactly as libfdt's walks do, for every node
 * of every fixture: next node, path, parent cells, reg and interrupts. */
static void check_index_agrees(const char *name)
{
	void *fdt = dtb_load(name);
	int n = 0;

	for (int node = -1; (node = fdt_next_node(fdt, node, NULL)) >= 0;)
		n++;
	/* Answers without the index first, then with it. */
	struct answer { char path[256]; int cells_rc, reg_rc, irq_rc, first_child, chosen; uint32_t ac, sc;
			struct tk_dt_reg reg[4]; struct tk_dt_irq irq[4]; } *a = calloc((size_t)n, sizeof(*a));
	assert_non_null(a);
	for (int pass = 0; pass < 2; pass++) {
		int i = 0;

		if (pass == 1)
			assert_int_equal(tk_dt_index_build(fdt), n);
		for (int node = -1; (node = tk_dt_next_node(fdt, node)) >= 0; i++) {
			struct answer b;

			memset(&b, 0, sizeof(b));
			assert_int_equal(tk_dt_path(fdt, node, b.path, sizeof(b.path)), 0);
			/* only the string counts, not the bytes after its NUL */
			size_t len = strlen(b.path);
			memset(b.path + len, 0, sizeof(b.path) - len);
			b.cells_rc = node ? tk_dt_parent_cells(fdt, node, &b.ac, &b.sc) : 0;
			b.reg_rc = node ? tk_dt_reg(fdt, node, b.reg, 4) : 0;
			b.irq_rc = tk_dt_irqs(fdt, node, b.irq, 4);
			b.first_child = tk_dt_next_child(fdt, node, -1);
			b.chosen = tk_dt_find_node(fdt, b.path);
			if (pass == 0)
				a[i] = b;
			else
				assert_memory_equal(&a[i], &b, sizeof(b));
		}
		assert_int_equal(i, n);
		assert_int_equal(tk_dt_next_node(fdt, -1), 0);
		assert_int_equal(tk_dt_subnode(fdt, 0, "no-such-node"), -ENOENT);
		if (pass == 1)
			check_index_any_order(fdt, n, a[0].path, sizeof(a[0]));
	}
	free(a);
	free(fdt);
}

static void test_index_agrees_with_libfdt_walks(void **state)
{
	(void)state;
	check_index_agrees("virt");
	check_index_agrees("bus");
	check_index_agrees("memory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_agrees_with_libfdt_walks),
		cmocka_unit_test(test_prop_u32_reads_value_and_checks_length),
		cmocka_unit_test(test_prop_u64_accepts_4_and_8_bytes_only),
		cmocka_unit_test(test_prop_u64_rejects_odd_length),
		cmocka_unit_test(test_prop_str_reads_string),
		cmocka_unit_test(test_prop_str_rejects_unterminated_string),
		cmocka_unit_test(test_prop_str_rejects_empty_string),
		cmocka_unit_test(test_node_enabled_accepts_absent_okay_and_ok_only),
		cmocka_unit_test(test_compat_index_gives_position_in_list),
		cmocka_unit_test(test_compat_index_as_libfdt),
		cmocka_unit_test(test_compat_index_rejects_unterminated_list),
		cmocka_unit_test(test_find_node_resolves_stdout_path_alias_with_options),
		cmocka_unit_test(test_find_node_reports_unknown_path_and_alias),
		cmocka_unit_test(test_find_node_rejects_unterminated_alias),
		cmocka_unit_test(test_parent_cells_reads_bus_and_defaults),
		cmocka_unit_test(test_parent_cells_rejects_three_cells),
		cmocka_unit_test(test_depth_and_path_describe_the_node),
		cmocka_unit_test(test_last_error_is_never_null),
		cmocka_unit_test(test_every_single_byte_corruption_is_rejected_or_safe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
