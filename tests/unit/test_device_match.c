/* Driver matching: the most specific compatible wins, whatever the order of
 * the driver table; no compatible or a malformed list binds nothing. */
#include "fixture.h"

#include "device_match.h"

static int probe_none(struct tk_device *dev)
{
	(void)dev;
	return 0;
}

#define DRV(name, ...)                                                         \
	{ #name, TK_LEVEL_DEVICE, probe_none, (const char *const[]){ __VA_ARGS__, 0 } }

static const struct tk_driver table[] = {
	DRV(primecell, "arm,primecell"),
	DRV(pl011, "arm,pl011", "arm,sbsa-uart"),
	DRV(gic, "arm,gic-400", "arm,cortex-a15-gic"),
};
#define END (table + sizeof(table) / sizeof(table[0]))

static void test_most_specific_compatible_wins_over_table_order(void **state)
{
	void *fdt = dtb_load("virt");
	int node = fdt_path_offset(fdt, "/pl011@9000000");

	(void)state;
	/* "arm,pl011" comes before "arm,primecell" in the node's list, so pl011
	 * binds although primecell is first in the table. */
	assert_ptr_equal(device_match(fdt, node, table, END), &table[1]);
	/* With pl011 missing, the generic driver is the match. */
	assert_ptr_equal(device_match(fdt, node, table, table + 1), &table[0]);
	free(fdt);
}

static void test_second_compatible_entry_of_a_driver_matches(void **state)
{
	void *fdt = dtb_load("virt");
	int node = fdt_path_offset(fdt, "/intc@8000000");

	(void)state;
	assert_ptr_equal(device_match(fdt, node, table, END), &table[2]);
	free(fdt);
}

static void test_no_match_and_no_compatible_bind_nothing(void **state)
{
	void *fdt = dtb_load("virt");

	(void)state;
	assert_null(device_match(fdt, fdt_path_offset(fdt, "/chosen"), table, END));
	assert_null(device_match(fdt, 0, table, END));	/* root: linux,dummy-virt */
	assert_null(device_match(fdt, fdt_path_offset(fdt, "/pl011@9000000"), table, table));
	free(fdt);
}

static void test_unterminated_compatible_list_binds_nothing(void **state)
{
	void *fdt = dtb_edit(dtb_load("virt"));
	int node = fdt_path_offset(fdt, "/pl011@9000000");

	(void)state;
	assert_int_equal(fdt_setprop(fdt, node, "compatible", "arm,pl011", 9), 0);
	assert_null(device_match(fdt, node, table, END));
	assert_int_equal(fdt_setprop(fdt, node, "compatible", "", 0), 0);
	assert_null(device_match(fdt, node, table, END));
	free(fdt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_most_specific_compatible_wins_over_table_order),
		cmocka_unit_test(test_second_compatible_entry_of_a_driver_matches),
		cmocka_unit_test(test_no_match_and_no_compatible_bind_nothing),
		cmocka_unit_test(test_unterminated_compatible_list_binds_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
