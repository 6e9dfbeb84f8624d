/*
 * The node index's record of where the boot's common properties are
 * (kernel/dt_props.c): for every node of every board's upstream DTB and of
 * the fixtures, every recorded name and one that is not, dt_getprop gives
 * exactly what libfdt's fdt_getprop gives (the same bytes at the same
 * address, or the same "not found"); a property too far from its node, a
 * blob that is not the indexed one and a new index each still answer right
 * (and a phandle's node, after the blob changed at the same address);
 * a name buffer reused with another name; a truncated structure block.
 * The probe's walk over every node (dt_nodes) gives libfdt's nodes and
 * properties, indexed or not.
 */
#include <errno.h>
#include <unistd.h>

#include "fixture.h"

#include "dt_impl.h"

static const char *const names[] = {
	"compatible", "status", "reg", "device_type", "interrupts", "interrupt-parent",
	"interrupts-extended", "#address-cells", "#size-cells", "ranges",
	"interrupt-controller", "#interrupt-cells", "interrupt-affinity", "phandle",
	"clocks", "no-such-property",
};

/* Every node, every name: dt_getprop == fdt_getprop. @return nodes checked */
static int same_as_libfdt(const void *fdt)
{
	int node = -1, n = 0;

	while ((node = fdt_next_node(fdt, node, NULL)) >= 0) {
		for (unsigned k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
			int la = -12345, lb = -12345;
			const void *a = dt_getprop(fdt, node, names[k], &la);
			const void *b = fdt_getprop(fdt, node, names[k], &lb);

			if (a != b || la != lb)
				fail_msg("node %d '%s': %p/%d, libfdt %p/%d", node, names[k], a, la, b, lb);
			if (dt_getprop(fdt, node, names[k], NULL) != a)
				fail_msg("node %d '%s': another answer without a length", node, names[k]);
		}
		n++;
	}
	return n;
}

/* dt_next_child_maybe_with: with the index, every child that has the
 * property and no other (for a hot name), else every child. */
static void children_with_as_libfdt(const void *fdt, bool indexed)
{
	static const char *const with[] = { "device_type", "compatible", "reg", "phandle",
					    "no-such-property", "clocks" };
	int parent = -1;

	while ((parent = fdt_next_node(fdt, parent, NULL)) >= 0)
		for (unsigned k = 0; k < sizeof(with) / sizeof(with[0]); k++) {
			bool all = !indexed || dt_hot_id(with[k]) < 0;
			int want = fdt_first_subnode(fdt, parent), got = -1;

			for (;; want = fdt_next_subnode(fdt, want)) {
				while (want >= 0 && !all && !fdt_getprop(fdt, want, with[k], NULL))
					want = fdt_next_subnode(fdt, want);
				got = dt_next_child_maybe_with(fdt, parent, got, with[k]);
				if (want < 0)
					break;
				assert_int_equal(got, want);
			}
			assert_int_equal(got, -ENOENT);
		}
}

/* dt_nodes: libfdt's nodes in its order, each hot property as
 * fdt_getprop gives it (the names[] above are the hot names in id order:
 * DT_HOT_REG is "reg"); by index position when indexed. */
static void nodes_as_libfdt(const void *fdt, bool indexed)
{
	struct dt_nodes it = DT_NODES(fdt);
	int want = -1;

	for (int k = 0; k < DT_HOT_PROPS; k++)
		assert_int_equal(dt_hot_id(names[k]), k);
	for (;;) {
		want = fdt_next_node(fdt, want, NULL);
		assert_int_equal(dt_nodes_next(&it), want >= 0 ? want : -ENOENT);
		assert_int_equal(it.node, want >= 0 ? want : -ENOENT);
		assert_int_equal(it.i >= 0, indexed);	/* the path this test means */
		if (want < 0)
			break;
		for (int k = 0; k < DT_HOT_PROPS; k++) {
			int la = -12345, lb = -12345;
			const void *a = dt_nodes_prop(&it, (enum dt_hot)k, &la);
			const void *b = fdt_getprop(fdt, want, names[k], &lb);

			if (a != b || la != lb)
				fail_msg("node %d '%s': %p/%d, libfdt %p/%d", want, names[k], a, la, b, lb);
		}
	}
}

static void check_indexed(void *fdt)
{
	children_with_as_libfdt(fdt, false);
	nodes_as_libfdt(fdt, false);
	assert_true(tk_dt_index_build(fdt) > 0);
	assert_true(same_as_libfdt(fdt) > 0);
	children_with_as_libfdt(fdt, true);
	nodes_as_libfdt(fdt, true);
	free(fdt);
}

static void test_boards_match_libfdt(void **state)
{
	static const char *const dtbs[] = {
		"broadcom/bcm2837-rpi-3-b", "broadcom/bcm2837-rpi-3-b-plus",
		"broadcom/bcm2711-rpi-4-b", "broadcom/bcm2711-rpi-cm4-io",
		"xilinx/zynqmp-zcu102-rev1.0", "xilinx/zynqmp-zcu102-rev1.1",
	};
	(void)state;
	for (unsigned i = 0; i < sizeof(dtbs) / sizeof(dtbs[0]); i++)
		check_indexed(board_dtb(dtbs[i]));
}

static void test_fixtures_match_libfdt(void **state)
{
	static const char *const fixtures[] = { "virt", "bus", "memory", "microvm_base", "microvm_qemu" };
	(void)state;
	for (unsigned i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++)
		check_indexed(dtb_load(fixtures[i]));
}

/* A 70 KB property before "compatible" puts it out of the record's reach. */
static void test_far_property_asks_libfdt(void **state)
{
	void *fdt = dtb_load("virt");
	int node, len;
	(void)state;
	fdt = dtb_edit(fdt);
	int size = (int)fdt_totalsize(fdt) + 80 * 1024;
	void *big = malloc((size_t)size);
	assert_non_null(big);
	assert_int_equal(fdt_open_into(fdt, big, size), 0);
	free(fdt);
	node = fdt_add_subnode(big, 0, "far");
	assert_true(node >= 0);
	/* libfdt puts a new property first in its node: compatible first,
	 * so that the blob comes before it (as this test meant all along;
	 * until the check below it had compatible 8 bytes from its node) */
	assert_int_equal(fdt_setprop_string(big, node, "compatible", "test,far"), 0);
	void *blob = calloc(1, 70 * 1024);
	assert_int_equal(fdt_setprop(big, node, "blob", blob, 70 * 1024), 0);
	free(blob);
	big = dtb_seal(big);
	assert_int_equal(tk_dt_validate(big, fdt_totalsize(big)), 0);
	assert_true(tk_dt_index_build(big) > 0);
	node = fdt_path_offset(big, "/far");
	assert_int_equal(dt_props_at[dt_index_of(big, node)][dt_hot_id("compatible")], DT_PROP_FAR);
	const char *c = dt_getprop(big, node, "compatible", &len);
	assert_non_null(c);
	assert_string_equal(c, "test,far");
	assert_true(same_as_libfdt(big) > 0);
	children_with_as_libfdt(big, true);	/* "far" has its compatible out of reach */
	nodes_as_libfdt(big, true);
	free(big);
}

/* Properties after a child (a blob tk_dt_validate passes, as libfdt's
 * check does): libfdt's lookups end a node's properties at its first
 * child, and so must the index's record (the fuzzer found reg's answer
 * differing through a bus's late #address-cells). */
static void test_property_after_child_is_not_the_nodes(void **state)
{
	size_t size = 4096;
	void *fdt = calloc(1, size);
	(void)state;
	assert_int_equal(fdt_create(fdt, (int)size), 0);
	assert_int_equal(fdt_finish_reservemap(fdt), 0);
	assert_int_equal(fdt_begin_node(fdt, ""), 0);
	assert_int_equal(fdt_property_u32(fdt, "#size-cells", 1), 0);
	assert_int_equal(fdt_begin_node(fdt, "bus@0"), 0);
	assert_int_equal(fdt_property_u32(fdt, "#address-cells", 1), 0);
	assert_int_equal(fdt_property(fdt, "ranges", NULL, 0), 0);
	assert_int_equal(fdt_begin_node(fdt, "dev@10"), 0);
	assert_int_equal(fdt_property(fdt, "reg", (const fdt32_t[]){ cpu_to_fdt32(0x10),
								cpu_to_fdt32(4) }, 8), 0);
	assert_int_equal(fdt_end_node(fdt), 0);
	/* after dev@10: none of these is bus@0's for libfdt */
	assert_int_equal(fdt_property_u32(fdt, "#size-cells", 0), 0);
	assert_int_equal(fdt_property_string(fdt, "compatible", "late"), 0);
	assert_int_equal(fdt_property_u32(fdt, "phandle", 7), 0);
	assert_int_equal(fdt_end_node(fdt), 0);
	assert_int_equal(fdt_property_string(fdt, "status", "disabled"), 0);
	assert_int_equal(fdt_end_node(fdt), 0);
	assert_int_equal(fdt_finish(fdt), 0);
	assert_int_equal(tk_dt_validate(fdt, size), 0);
	assert_true(tk_dt_index_build(fdt) > 0);
	assert_true(same_as_libfdt(fdt) > 0);
	nodes_as_libfdt(fdt, true);
	int bus = fdt_path_offset(fdt, "/bus@0"), dev = fdt_path_offset(fdt, "/bus@0/dev@10");
	struct tk_dt_reg reg[1];

	assert_null(dt_getprop(fdt, bus, "compatible", NULL));
	assert_int_equal(dt_phandle_node(fdt, dev, "x", 7), -ENXIO);
	/* the bus's #size-cells is libfdt's default 1: dev@10's reg is whole */
	assert_int_equal(tk_dt_reg(fdt, dev, reg, 1), 1);
	assert_int_equal(reg[0].addr, 0x10);
	assert_int_equal(reg[0].size, 4);
	free(fdt);
}

/* Another blob than the indexed one, then a new index: both right. */
static void test_other_blob_and_new_index(void **state)
{
	void *a = dtb_load("virt"), *b = dtb_load("bus");
	(void)state;
	assert_true(tk_dt_index_build(a) > 0);
	assert_true(same_as_libfdt(b) > 0);	/* not indexed: libfdt's answers */
	assert_true(tk_dt_index_build(b) > 0);
	assert_true(same_as_libfdt(b) > 0);
	assert_true(same_as_libfdt(a) > 0);
	free(a);
	free(b);
}

/* A new blob where the indexed one was (the same address: an edit in
 * place, or a freed buffer handed out again): a phandle's node is the new
 * blob's, not the one remembered from before. */
static void test_phandle_after_blob_changed_in_place(void **state)
{
	void *fdt = dtb_edit(dtb_load("virt"));
	uint8_t pad[64] = { 0 };
	int target = -1;
	(void)state;
	assert_true(tk_dt_index_build(fdt) > 0);
	assert_int_equal(tk_dt_prop_phandle(fdt, 0, "interrupt-parent", &target), 0);
	assert_int_equal(target, dt_node(fdt, "/intc@8000000"));
	/* every node after the root's properties moves 76 bytes on */
	assert_int_equal(fdt_setprop(fdt, 0, "zz-pad", pad, sizeof(pad)), 0);
	assert_true(tk_dt_index_build(fdt) > 0);
	assert_int_equal(tk_dt_prop_phandle(fdt, 0, "interrupt-parent", &target), 0);
	assert_int_equal(target, dt_node(fdt, "/intc@8000000"));
	/* phandle 0 names no node: refused, with an empty memo too */
	assert_int_equal(fdt_setprop_u32(fdt, 0, "interrupt-parent", 0), 0);
	assert_true(tk_dt_index_build(fdt) > 0);
	assert_int_equal(tk_dt_prop_phandle(fdt, 0, "interrupt-parent", &target), -ENXIO);
	assert_int_equal(fdt_setprop_u32(fdt, 0, "interrupt-parent",
					 fdt_get_phandle(fdt, dt_node(fdt, "/intc@8000000"))), 0);
	assert_true(tk_dt_index_build(fdt) > 0);
	/* and without an index (libfdt's walk) */
	dt_index_drop();
	assert_int_equal(fdt_setprop(fdt, 0, "zz-pad2", pad, sizeof(pad)), 0);
	assert_int_equal(tk_dt_prop_phandle(fdt, 0, "interrupt-parent", &target), 0);
	assert_int_equal(target, dt_node(fdt, "/intc@8000000"));
	free(fdt);
}

/* dt_getprop remembers names by pointer: a buffer whose name changes
 * between calls still gets the new name's answer, hot or not. */
static void test_name_buffer_reused(void **state)
{
	void *fdt = dtb_load("virt");
	char name[32];
	int node, la, lb;
	(void)state;
	assert_true(tk_dt_index_build(fdt) > 0);
	node = fdt_path_offset(fdt, "/pl011@9000000");
	assert_true(node >= 0);
	static const char *const seq[] = { "reg", "compatible", "clocks", "reg", "no-such",
					   "status", "compatible" };
	for (unsigned k = 0; k < sizeof(seq) / sizeof(seq[0]); k++) {
		strcpy(name, seq[k]);
		const void *a = dt_getprop(fdt, node, name, &la);
		const void *b = fdt_getprop(fdt, node, seq[k], &lb);

		if (a != b || la != lb)
			fail_msg("'%s' after '%s': %p/%d, libfdt %p/%d", seq[k],
				 k ? seq[k - 1] : "-", a, la, b, lb);
	}
	free(fdt);
}

/* A truncated structure block is refused by the index walk itself too
 * (never read past it), even though the boot validates first. */
static void test_index_refuses_truncated_struct(void **state)
{
	void *fdt = dtb_load("virt");
	(void)state;
	fdt_set_size_dt_struct(fdt, fdt_size_dt_struct(fdt) / 2);
	assert_true(tk_dt_index_build(fdt) < 0);
	free(fdt);
}

/* The boot's way (kernel/boot.c early_boot): the index built in a caller's
 * buffer answers as libfdt does, and still does once moved to the heap and
 * the buffer overwritten; a buffer too small for the blob is -ENOSPC and
 * leaves no index; a heap index built after keeps working. */
static void test_index_in_buffer_then_kept(void **state)
{
	void *fdt = dtb_load("virt");
	int nodes = dt_index_nodes(fdt), n;
	size_t bytes = (size_t)nodes * DT_INDEX_NODE_BYTES;
	uint32_t *mem = malloc(bytes + 64);	/* a little spare room, as the boot's */

	(void)state;
	assert_true(nodes > 0);
	assert_int_equal(dt_validate_index_in(fdt, fdt_totalsize(fdt), mem, bytes + 64, &n), 0);
	assert_int_equal(n, nodes);
	assert_true(dt_indexed(fdt));
	assert_int_equal(same_as_libfdt(fdt), nodes);
	assert_int_equal(dt_index_keep(), 0);
	memset(mem, 0xa5, bytes + 64);
	assert_true(dt_indexed(fdt));
	assert_int_equal(same_as_libfdt(fdt), nodes);
	assert_int_equal(tk_dt_next_node(fdt, -1), 0);
	assert_int_equal(dt_index_keep(), 0);	/* on the heap already */
	assert_int_equal(dt_validate_index_in(fdt, fdt_totalsize(fdt), mem,
					      bytes - DT_INDEX_NODE_BYTES, &n), 0);
	assert_int_equal(n, -ENOSPC);
	assert_false(dt_indexed(fdt));
	assert_int_equal(same_as_libfdt(fdt), nodes);	/* libfdt's answers */
	assert_int_equal(tk_dt_index_build(fdt), nodes);
	assert_int_equal(same_as_libfdt(fdt), nodes);
	free(mem);
	free(fdt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boards_match_libfdt),
		cmocka_unit_test(test_fixtures_match_libfdt),
		cmocka_unit_test(test_far_property_asks_libfdt),
		cmocka_unit_test(test_property_after_child_is_not_the_nodes),
		cmocka_unit_test(test_other_blob_and_new_index),
		cmocka_unit_test(test_phandle_after_blob_changed_in_place),
		cmocka_unit_test(test_name_buffer_reused),
		cmocka_unit_test(test_index_refuses_truncated_struct),
		cmocka_unit_test(test_index_in_buffer_then_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
