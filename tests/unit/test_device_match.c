/* Driver matching: the most specific compatible wins, whatever the order of
 * the driver table; no compatible or a malformed list binds nothing. */
#include <errno.h>

#include "fixture.h"

#include "device_match.h"

static int probe_none(struct tk_device *dev)
{
	(void)dev;
	return 0;
}

#define DRV(name, ...)                                                         \
	{ #name, TK_LEVEL_DEVICE, probe_none, (const char *const[]){ __VA_ARGS__, 0 }, 0 }

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

/* The hashed matcher gives device_match's answer for every node of the
 * fixtures, with the table cut at each length (so ties and misses too). */
static void test_matcher_agrees_with_device_match_on_every_node(void **state)
{
	const char *names[] = { "virt", "bus" };
	struct device_matcher m;

	(void)state;
	for (size_t f = 0; f < sizeof(names) / sizeof(names[0]); f++) {
		void *fdt = dtb_load(names[f]);

		for (const struct tk_driver *end = table; end <= END; end++) {
			device_matcher_init(&m, table, end);
			assert_true(m.n >= 0);
			for (int node = 0; node >= 0; node = fdt_next_node(fdt, node, NULL))
				assert_ptr_equal(device_matcher_find(&m, fdt, node),
						 device_match(fdt, node, table, end));
		}
		free(fdt);
	}
}

/* A table with more compatibles than the matcher holds is matched by
 * device_match; a malformed list binds nothing through either. */
static void test_matcher_large_table_and_bad_list(void **state)
{
	static const char *const many[DEVICE_MATCHER_MAX + 2] = {
		[DEVICE_MATCHER_MAX] = "arm,pl011",
	};
	const char *filler[DEVICE_MATCHER_MAX + 2];
	struct tk_driver big = { "big", TK_LEVEL_DEVICE, probe_none, filler, 0 };
	struct device_matcher m;
	void *fdt = dtb_edit(dtb_load("virt"));
	int node = fdt_path_offset(fdt, PL011);

	(void)state;
	for (int i = 0; i < DEVICE_MATCHER_MAX; i++)
		filler[i] = "vendor,none";
	filler[DEVICE_MATCHER_MAX] = many[DEVICE_MATCHER_MAX];
	filler[DEVICE_MATCHER_MAX + 1] = 0;
	device_matcher_init(&m, &big, &big + 1);
	assert_int_equal(m.n, -1);
	assert_ptr_equal(device_matcher_find(&m, fdt, node), &big);
	device_matcher_init(&m, table, END);
	assert_int_equal(fdt_setprop(fdt, node, "compatible", "arm,pl011", 9), 0);
	assert_null(device_matcher_find(&m, fdt, node));
	free(fdt);
}

/* Interrupt controllers probe parents first: the Pi 3's chained ARM
 * controller (index 0 in DT order) waits for the per-core root (index 1). */
static void test_chained_controller_probes_after_its_parent(void **state)
{
	const int parent[] = { 1, -1 };
	int order[2];

	(void)state;
	assert_int_equal(device_order_by_parent(2, parent, order), 0);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 0);
}

/* Roots (no parent, their own parent, one not in the list) keep DT order,
 * and a chain of three comes out root, middle, leaf. */
static void test_roots_keep_dt_order_and_chains_unfold(void **state)
{
	const int parent[] = { 0, 3, -1, 1, 2 };
	const int chain[] = { 2, 0, -1 };	/* leaf 1 -> middle 0 -> root 2 */
	int order[5];

	(void)state;
	/* 0: self, 2: root, 4 -> 2, 1 <-> 3 form a cycle: last, in DT order. */
	assert_int_equal(device_order_by_parent(5, parent, order), 0);
	assert_int_equal(order[0], 0);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 4);
	assert_int_equal(order[3], 1);
	assert_int_equal(order[4], 3);
	assert_int_equal(device_order_by_parent(3, chain, order), 0);
	assert_int_equal(order[0], 2);
	assert_int_equal(order[1], 0);
	assert_int_equal(order[2], 1);
}

static void test_order_refuses_bad_input(void **state)
{
	const int out_of_range[] = { 2, -1 };
	const int below[] = { -2 };
	int order[DEVICE_ORDER_MAX + 1];
	int many[DEVICE_ORDER_MAX + 1];

	(void)state;
	for (int i = 0; i <= DEVICE_ORDER_MAX; i++)
		many[i] = -1;
	assert_int_equal(device_order_by_parent(2, out_of_range, order), -EINVAL);
	assert_int_equal(device_order_by_parent(1, below, order), -EINVAL);
	assert_int_equal(device_order_by_parent(-1, many, order), -EINVAL);
	assert_int_equal(device_order_by_parent(DEVICE_ORDER_MAX + 1, many, order), -EINVAL);
	assert_int_equal(device_order_by_parent(0, many, order), 0);
	assert_int_equal(device_order_by_parent(DEVICE_ORDER_MAX, many, order), 0);
	assert_int_equal(order[DEVICE_ORDER_MAX - 1], DEVICE_ORDER_MAX - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_most_specific_compatible_wins_over_table_order),
		cmocka_unit_test(test_second_compatible_entry_of_a_driver_matches),
		cmocka_unit_test(test_no_match_and_no_compatible_bind_nothing),
		cmocka_unit_test(test_unterminated_compatible_list_binds_nothing),
		cmocka_unit_test(test_matcher_agrees_with_device_match_on_every_node),
		cmocka_unit_test(test_matcher_large_table_and_bad_list),
		cmocka_unit_test(test_chained_controller_probes_after_its_parent),
		cmocka_unit_test(test_roots_keep_dt_order_and_chains_unfold),
		cmocka_unit_test(test_order_refuses_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
