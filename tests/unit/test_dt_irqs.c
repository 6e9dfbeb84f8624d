/* kernel/dt.c's interrupt resolution (interrupts, -extended, -parent): good and broken DTBs. */
#include <errno.h>

#include "fixture.h"

static void test_irqs_reads_pl011_with_root_interrupt_parent(void **state)
{
	void *fdt = dtb_load("virt");
	struct tk_dt_irq irq[2];

	(void)state;
	assert_int_equal(tk_dt_irqs(fdt, dt_node(fdt, PL011), irq, 2), 1);
	assert_int_equal(irq[0].parent, dt_node(fdt, "/intc@8000000"));
	assert_int_equal(irq[0].ncells, 3);
	assert_int_equal(irq[0].cells[0], 0);
	assert_int_equal(irq[0].cells[1], 1);
	assert_int_equal(irq[0].cells[2], 4);
	free(fdt);
}

static void test_irqs_reads_every_timer_interrupt(void **state)
{
	void *fdt = dtb_load("virt");
	struct tk_dt_irq irq[4];

	(void)state;
	assert_int_equal(tk_dt_irqs(fdt, dt_node(fdt, "/timer"), irq, 4), 4);
	assert_int_equal(irq[3].cells[1], 10);
	assert_int_equal(irq[3].cells[2], 0x104);
	free(fdt);
}

static void test_irqs_rejects_more_entries_than_max(void **state)
{
	void *fdt = dtb_load("virt");
	struct tk_dt_irq irq[2];

	(void)state;
	assert_int_equal(tk_dt_irqs(fdt, dt_node(fdt, "/timer"), irq, 2), -E2BIG);
	assert_error_mentions("/timer: 'interrupts' has more entries than the 2 expected");
	free(fdt);
}

static void test_irqs_inherits_interrupt_parent_from_nearest_ancestor(void **state)
{
	void *fdt = dtb_load("bus");
	struct tk_dt_irq irq[1];

	(void)state;
	/* /soc has none, so the root's (the GIC) applies */
	assert_int_equal(tk_dt_irqs(fdt, dt_node(fdt, SOC "/uart@1000"), irq, 1), 1);
	assert_int_equal(irq[0].parent, dt_node(fdt, "/interrupt-controller@8000000"));
	/* /soc/sub overrides it with the GPIO controller (2 cells) */
	assert_int_equal(tk_dt_irqs(fdt, dt_node(fdt, SOC "/sub@20000000/button@100"), irq, 1), 1);
	assert_int_equal(irq[0].parent, dt_node(fdt, SOC "/gpio@4000"));
	assert_int_equal(irq[0].ncells, 2);
	assert_int_equal(irq[0].cells[0], 3);
	assert_int_equal(irq[0].cells[1], 1);
	free(fdt);
}

static void test_irqs_extended_names_each_controller(void **state)
{
	void *fdt = dtb_load("bus");
	struct tk_dt_irq irq[4];

	(void)state;
	/* interrupts-extended wins over the node's plain 'interrupts' */
	assert_int_equal(tk_dt_irqs(fdt, dt_node(fdt, SOC "/multi-irq@5000"), irq, 4), 2);
	assert_int_equal(irq[0].parent, dt_node(fdt, "/interrupt-controller@8000000"));
	assert_int_equal(irq[0].ncells, 3);
	assert_int_equal(irq[0].cells[1], 7);
	assert_int_equal(irq[1].parent, dt_node(fdt, SOC "/gpio@4000"));
	assert_int_equal(irq[1].ncells, 2);
	assert_int_equal(irq[1].cells[0], 9);
	assert_int_equal(irq[1].cells[1], 2);
	assert_int_equal(tk_dt_irqs(fdt, dt_node(fdt, SOC "/multi-irq@5000"), irq, 1), -E2BIG);
	assert_error_mentions(SOC "/multi-irq@5000: 'interrupts-extended' has more entries");
	free(fdt);
}

static void test_irqs_extended_rejects_truncated_entry(void **state)
{
	void *fdt = dtb_edit(dtb_load("bus"));
	uint32_t gic = fdt_get_phandle(fdt, dt_node(fdt, "/interrupt-controller@8000000"));
	struct tk_dt_irq irq[4];

	(void)state;
	set_cells(fdt, SOC "/multi-irq@5000", "interrupts-extended", 3, gic, 0, 7);
	fdt = dtb_seal(fdt);
	assert_int_equal(tk_dt_irqs(fdt, dt_node(fdt, SOC "/multi-irq@5000"), irq, 4), -EINVAL);
	assert_error_mentions(SOC "/multi-irq@5000: 'interrupts-extended' is 12 bytes");
	free(fdt);
}

static void test_irqs_extended_rejects_dangling_phandle(void **state)
{
	void *fdt = dtb_edit(dtb_load("bus"));
	struct tk_dt_irq irq[4];

	(void)state;
	set_cells(fdt, SOC "/multi-irq@5000", "interrupts-extended", 4, 0x777, 0, 7, 4);
	fdt = dtb_seal(fdt);
	assert_int_equal(tk_dt_irqs(fdt, dt_node(fdt, SOC "/multi-irq@5000"), irq, 4), -ENXIO);
	assert_error_mentions(SOC "/multi-irq@5000: 'interrupts-extended' refers to phandle 0x777");
	free(fdt);
}

static void test_irqs_rejects_node_without_interrupts(void **state)
{
	void *fdt = dtb_load("virt");
	struct tk_dt_irq irq[1];

	(void)state;
	assert_int_equal(tk_dt_irqs(fdt, dt_node(fdt, "/psci"), irq, 1), -ENOENT);
	assert_error_mentions("/psci: 'interrupts' is missing");
	free(fdt);
}

static void test_irqs_rejects_dangling_interrupt_parent(void **state)
{
	void *fdt = dtb_edit(dtb_load("virt"));
	struct tk_dt_irq irq[1];

	(void)state;
	set_cells(fdt, "/", "interrupt-parent", 1, 0x99);
	fdt = dtb_seal(fdt);
	assert_int_equal(tk_dt_irqs(fdt, dt_node(fdt, PL011), irq, 1), -ENXIO);
	assert_error_mentions(PL011 ": 'interrupt-parent' refers to phandle 0x99, which no node has");
	free(fdt);
}

static void test_irqs_rejects_missing_interrupt_parent(void **state)
{
	void *fdt = dtb_edit(dtb_load("virt"));
	struct tk_dt_irq irq[1];

	(void)state;
	del_prop(fdt, "/", "interrupt-parent");
	fdt = dtb_seal(fdt);
	assert_int_equal(tk_dt_irqs(fdt, dt_node(fdt, PL011), irq, 1), -ENXIO);
	assert_error_mentions(PL011 ": 'interrupts' has no interrupt-parent");
	free(fdt);
}

static void test_irqs_rejects_parent_without_interrupt_controller(void **state)
{
	void *fdt = dtb_edit(dtb_load("virt"));
	struct tk_dt_irq irq[1];

	(void)state;
	del_prop(fdt, "/intc@8000000", "interrupt-controller");
	fdt = dtb_seal(fdt);
	assert_int_equal(tk_dt_irqs(fdt, dt_node(fdt, PL011), irq, 1), -EINVAL);
	assert_error_mentions(PL011 ": interrupt parent intc@8000000 has no 'interrupt-controller'");
	free(fdt);
}

static void expect_interrupt_cells_rejected(uint32_t ncells)
{
	void *fdt = dtb_edit(dtb_load("virt"));
	struct tk_dt_irq irq[1];

	set_cells(fdt, "/intc@8000000", "#interrupt-cells", 1, ncells);
	fdt = dtb_seal(fdt);
	assert_int_equal(tk_dt_irqs(fdt, dt_node(fdt, PL011), irq, 1), -EINVAL);
	assert_error_mentions(PL011 ": interrupt parent intc@8000000 has '#interrupt-cells' = ");
	free(fdt);
}

static void test_irqs_rejects_interrupt_cells_0_and_7(void **state)
{
	(void)state;
	expect_interrupt_cells_rejected(0);
	expect_interrupt_cells_rejected(7);
}

static void test_irqs_rejects_length_not_multiple_of_interrupt_cells(void **state)
{
	void *fdt = dtb_edit(dtb_load("virt"));
	struct tk_dt_irq irq[2];

	(void)state;
	set_cells(fdt, PL011, "interrupts", 2, 0, 1);
	fdt = dtb_seal(fdt);
	assert_int_equal(tk_dt_irqs(fdt, dt_node(fdt, PL011), irq, 2), -EINVAL);
	assert_error_mentions(PL011 ": 'interrupts' is 8 bytes, not a multiple of #interrupt-cells=3");
	free(fdt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_irqs_reads_pl011_with_root_interrupt_parent),
		cmocka_unit_test(test_irqs_reads_every_timer_interrupt),
		cmocka_unit_test(test_irqs_rejects_more_entries_than_max),
		cmocka_unit_test(test_irqs_inherits_interrupt_parent_from_nearest_ancestor),
		cmocka_unit_test(test_irqs_extended_names_each_controller),
		cmocka_unit_test(test_irqs_extended_rejects_truncated_entry),
		cmocka_unit_test(test_irqs_extended_rejects_dangling_phandle),
		cmocka_unit_test(test_irqs_rejects_node_without_interrupts),
		cmocka_unit_test(test_irqs_rejects_dangling_interrupt_parent),
		cmocka_unit_test(test_irqs_rejects_missing_interrupt_parent),
		cmocka_unit_test(test_irqs_rejects_parent_without_interrupt_controller),
		cmocka_unit_test(test_irqs_rejects_interrupt_cells_0_and_7),
		cmocka_unit_test(test_irqs_rejects_length_not_multiple_of_interrupt_cells),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
