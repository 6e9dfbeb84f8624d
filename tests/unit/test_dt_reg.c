/* kernel/dt.c's 'reg' translation through 'ranges': good fixtures, and each way a DTB breaks it. */
#include <errno.h>

#include "fixture.h"

static void test_reg_reads_qemu_virt_uart(void **state)
{
	void *fdt = dtb_load("virt");
	struct tk_dt_reg reg[2];

	(void)state;
	assert_int_equal(tk_dt_reg(fdt, dt_node(fdt, PL011), reg, 2), 1);
	assert_int_equal(reg[0].addr, 0x9000000);
	assert_int_equal(reg[0].size, 0x1000);
	assert_int_equal(tk_dt_reg(fdt, dt_node(fdt, "/intc@8000000"), reg, 2), 2);
	assert_int_equal(reg[1].addr, 0x8010000);
	free(fdt);
}

static void test_reg_translates_through_ranges(void **state)
{
	void *fdt = dtb_load("bus");
	struct tk_dt_reg reg[1];

	(void)state;
	/* soc child 0x1000 lies in <0x0 -> 0x1000_0000> */
	assert_int_equal(tk_dt_reg(fdt, dt_node(fdt, SOC "/uart@1000"), reg, 1), 1);
	assert_int_equal(reg[0].addr, 0x10001000);
	assert_int_equal(reg[0].size, 0x100);
	free(fdt);
}

static void test_reg_translates_through_two_nested_buses(void **state)
{
	void *fdt = dtb_load("bus");
	struct tk_dt_reg reg[1];

	(void)state;
	/* 0x100 -> sub: 0x2000_0100 -> soc: 0x1_0000_0100 */
	assert_int_equal(tk_dt_reg(fdt, dt_node(fdt, SOC "/sub@20000000/button@100"), reg, 1), 1);
	assert_int_equal(reg[0].addr, 0x100000100ull);
	assert_int_equal(reg[0].size, 0x10);
	free(fdt);
}

static void test_reg_returns_every_entry_each_translated(void **state)
{
	void *fdt = dtb_load("bus");
	struct tk_dt_reg reg[4];

	(void)state;
	assert_int_equal(tk_dt_reg(fdt, dt_node(fdt, SOC "/dma@2000"), reg, 4), 3);
	assert_int_equal(reg[0].addr, 0x10002000);
	assert_int_equal(reg[1].addr, 0x10003000);
	assert_int_equal(reg[1].size, 0x80);
	assert_int_equal(reg[2].addr, 0x100000000ull);
	assert_int_equal(reg[2].size, 0x1000);
	free(fdt);
}

static void test_reg_rejects_more_entries_than_max(void **state)
{
	void *fdt = dtb_load("bus");
	struct tk_dt_reg reg[2];

	(void)state;
	assert_int_equal(tk_dt_reg(fdt, dt_node(fdt, SOC "/dma@2000"), reg, 2), -E2BIG);
	assert_error_mentions(SOC "/dma@2000: 'reg'");
	free(fdt);
}

static void test_reg_rejects_length_not_multiple_of_cells(void **state)
{
	void *fdt = dtb_edit(dtb_load("virt"));
	struct tk_dt_reg reg[2];

	(void)state;
	set_cells(fdt, PL011, "reg", 3, 0, 0x9000000, 0x1000);
	fdt = dtb_seal(fdt);
	assert_int_equal(tk_dt_reg(fdt, dt_node(fdt, PL011), reg, 2), -EINVAL);
	assert_string_equal(tk_dt_last_error(),
			    PL011 ": 'reg' is 12 bytes, not a multiple of 16 (#address-cells=2, "
				  "#size-cells=2)");
	free(fdt);
}

static void test_reg_rejects_address_cells_3(void **state)
{
	void *fdt = dtb_edit(dtb_load("bus"));
	struct tk_dt_reg reg[2];

	(void)state;
	set_cells(fdt, SOC, "#address-cells", 1, 3);
	fdt = dtb_seal(fdt);
	assert_int_equal(tk_dt_reg(fdt, dt_node(fdt, SOC "/uart@1000"), reg, 2), -EINVAL);
	assert_error_mentions(SOC ": '#address-cells' is 3, but only up to 2 cells");
	free(fdt);
}

static void test_reg_rejects_missing_reg(void **state)
{
	void *fdt = dtb_load("virt");
	struct tk_dt_reg reg[1];

	(void)state;
	assert_int_equal(tk_dt_reg(fdt, dt_node(fdt, "/timer"), reg, 1), -ENOENT);
	assert_error_mentions("/timer: 'reg' is missing");
	free(fdt);
}

static void test_reg_rejects_address_outside_parent_ranges(void **state)
{
	void *fdt = dtb_load("bus");
	struct tk_dt_reg reg[1];

	(void)state;
	assert_int_equal(tk_dt_reg(fdt, dt_node(fdt, SOC "/outside@2000000"), reg, 1), -ENXIO);
	assert_error_mentions(SOC "/outside@2000000: 'reg' 0x2000000+0x10 is outside every 'ranges'");
	free(fdt);
}

/* Starting inside a range is not enough: the whole region must fit. */
static void test_reg_rejects_region_straddling_range_end(void **state)
{
	void *fdt = dtb_load("bus");
	struct tk_dt_reg reg[1];

	(void)state;
	assert_int_equal(tk_dt_reg(fdt, dt_node(fdt, SOC "/straddle@ffff00"), reg, 1), -ENXIO);
	assert_error_mentions(SOC "/straddle@ffff00");
	free(fdt);
}

static void test_reg_rejects_bus_without_ranges(void **state)
{
	void *fdt = dtb_load("bus");
	struct tk_dt_reg reg[1];

	(void)state;
	assert_int_equal(tk_dt_reg(fdt, dt_node(fdt, "/nobus/island@0"), reg, 1), -ENXIO);
	assert_error_mentions("/nobus/island@0: 'reg' 0x0+0x4 is not translatable: no 'ranges' in nobus");
	free(fdt);
}

static void test_reg_rejects_ranges_not_multiple_of_cells(void **state)
{
	void *fdt = dtb_edit(dtb_load("bus"));
	struct tk_dt_reg reg[1];

	(void)state;
	set_cells(fdt, SOC, "ranges", 3, 0, 0, 0x10000000); /* needs 4 cells an entry */
	fdt = dtb_seal(fdt);
	assert_int_equal(tk_dt_reg(fdt, dt_node(fdt, SOC "/uart@1000"), reg, 1), -EINVAL);
	assert_error_mentions(SOC ": 'ranges' is 12 bytes, not a multiple of 16");
	free(fdt);
}

static void test_reg_rejects_region_wrapping_64_bits(void **state)
{
	void *fdt = dtb_edit(dtb_load("virt"));
	struct tk_dt_reg reg[1];

	(void)state;
	set_cells(fdt, PL011, "reg", 4, 0xffffffff, 0xfffff000, 0, 0x2000);
	fdt = dtb_seal(fdt);
	assert_int_equal(tk_dt_reg(fdt, dt_node(fdt, PL011), reg, 1), -EOVERFLOW);
	assert_error_mentions(PL011 ": 'reg' 0xfffffffffffff000+0x2000 overflows 64 bits");
	free(fdt);
}

static void test_reg_rejects_translation_wrapping_64_bits(void **state)
{
	void *fdt = dtb_edit(dtb_load("bus"));
	struct tk_dt_reg reg[1];

	(void)state;
	set_cells(fdt, SOC, "ranges", 4, 0x0, 0xffffffff, 0xffffff00, 0x1000000);
	fdt = dtb_seal(fdt);
	assert_int_equal(tk_dt_reg(fdt, dt_node(fdt, SOC "/uart@1000"), reg, 1), -EOVERFLOW);
	assert_error_mentions(SOC "/uart@1000");
	free(fdt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reg_reads_qemu_virt_uart),
		cmocka_unit_test(test_reg_translates_through_ranges),
		cmocka_unit_test(test_reg_translates_through_two_nested_buses),
		cmocka_unit_test(test_reg_returns_every_entry_each_translated),
		cmocka_unit_test(test_reg_rejects_more_entries_than_max),
		cmocka_unit_test(test_reg_rejects_length_not_multiple_of_cells),
		cmocka_unit_test(test_reg_rejects_address_cells_3),
		cmocka_unit_test(test_reg_rejects_missing_reg),
		cmocka_unit_test(test_reg_rejects_address_outside_parent_ranges),
		cmocka_unit_test(test_reg_rejects_region_straddling_range_end),
		cmocka_unit_test(test_reg_rejects_bus_without_ranges),
		cmocka_unit_test(test_reg_rejects_ranges_not_multiple_of_cells),
		cmocka_unit_test(test_reg_rejects_region_wrapping_64_bits),
		cmocka_unit_test(test_reg_rejects_translation_wrapping_64_bits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
