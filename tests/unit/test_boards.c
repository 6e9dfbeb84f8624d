/*
 * The real boards' upstream DTBs (Debian's arm64 kernel package, unpacked by
 * ./takt setup) through the kernel's own DT layer and device matcher, against
 * the real drivers' match table (their TK_DRIVER lines, read at configure
 * time): which driver binds each node the kernel cannot run without, where
 * its registers are once /soc ranges are applied, and what happens to the
 * memory the firmware has to fill in. The Pi 4 and CM4 have no QEMU model,
 * so this is how they are checked; the Pi 3 and ZCU102 are also booted.
 */
#include <errno.h>
#include <unistd.h>

#include "fixture.h"

#include "device_match.h"
#include "memmap.h"

static int probe_none(struct tk_device *dev)
{
	(void)dev;
	return 0;
}

#define DRV(name, level, ...) { #name, level, probe_none, (const char *const[]){ __VA_ARGS__, 0 }, 0 },
static const struct tk_driver drivers[] = {
#include "drivers_table.inc"
};
#define DRIVERS_END (drivers + sizeof(drivers) / sizeof(drivers[0]))

static const char *bound(const void *fdt, int node)
{
	const struct tk_driver *d = device_match(fdt, node, drivers, DRIVERS_END);

	if (node < 0)
		return "(no node)";
	if (!tk_dt_node_enabled(fdt, node))
		return "(disabled)";
	return d ? d->name : "(no driver)";
}

/* The root interrupt controller: from the timer's interrupt parent, follow
 * each controller's own interrupt-parent while it has interrupts of its own
 * (a chained controller) and that parent is not itself. */
static int root_intc(const void *fdt)
{
	struct tk_dt_irq irq[4];
	int node;

	assert_true(tk_dt_irqs(fdt, fdt_path_offset(fdt, "/timer"), irq, 4) >= 1);
	node = irq[0].parent;
	for (int hops = 0; hops < 8; hops++) {
		if (!fdt_getprop(fdt, node, "interrupts", NULL))
			return node;
		assert_true(tk_dt_irqs(fdt, node, irq, 4) >= 1);
		if (irq[0].parent == node)
			return node;
		node = irq[0].parent;
	}
	fail_msg("interrupt-parent loop");
	return -1;
}

static int compat_node(const void *fdt, const char *compat)
{
	return fdt_node_offset_by_compatible(fdt, -1, compat);
}

static uint64_t reg0(const void *fdt, int node)
{
	struct tk_dt_reg r[4];

	assert_true(tk_dt_reg(fdt, node, r, 4) >= 1);
	return r[0].addr;
}

struct board {
	const char *dtb;
	const char *intc, *console, *power;
	uint64_t console_addr;
	const char *power_compat;
};

static void check_board(const struct board *b)
{
	void *fdt = board_dtb(b->dtb);
	int console = tk_dt_stdout_node(fdt);
	int power = compat_node(fdt, b->power_compat);

	print_message("%s: intc %s, timer %s, console %s, power/watchdog %s\n", b->dtb,
		      bound(fdt, root_intc(fdt)), bound(fdt, fdt_path_offset(fdt, "/timer")),
		      bound(fdt, console), bound(fdt, power));
	assert_string_equal(bound(fdt, root_intc(fdt)), b->intc);
	assert_string_equal(bound(fdt, fdt_path_offset(fdt, "/timer")), "arm_arch_timer");
	assert_true(console >= 0);
	assert_string_equal(bound(fdt, console), b->console);
	assert_int_equal(reg0(fdt, console), b->console_addr);	/* through /soc ranges */
	assert_string_equal(bound(fdt, power), b->power);
	free(fdt);
}

static const struct board rpi3 = { "broadcom/bcm2837-rpi-3-b", "bcm2836_l1_intc",
	"bcm2835_aux_uart", "bcm2835_pm", 0x3f215040, "brcm,bcm2835-pm" };
static const struct board rpi3p = { "broadcom/bcm2837-rpi-3-b-plus", "bcm2836_l1_intc",
	"bcm2835_aux_uart", "bcm2835_pm", 0x3f215040, "brcm,bcm2835-pm" };
static const struct board rpi4 = { "broadcom/bcm2711-rpi-4-b", "gicv2",
	"bcm2835_aux_uart", "bcm2835_pm", 0xfe215040, "brcm,bcm2711-pm" };
static const struct board cm4 = { "broadcom/bcm2711-rpi-cm4-io", "gicv2",
	"bcm2835_aux_uart", "bcm2835_pm", 0xfe215040, "brcm,bcm2711-pm" };
static const struct board zcu = { "xilinx/zynqmp-zcu102-rev1.0", "gicv2",
	"cadence_uart", "psci", 0xff000000, "arm,psci-0.2" };
static const struct board zcu11 = { "xilinx/zynqmp-zcu102-rev1.1", "gicv2",
	"cadence_uart", "psci", 0xff000000, "arm,psci-0.2" };

static void test_rpi_3b_binds_intc_timer_console_power(void **s) { (void)s; check_board(&rpi3); }
static void test_rpi_3b_plus_binds_the_same(void **s) { (void)s; check_board(&rpi3p); }
static void test_rpi_4b_binds_gic_timer_console_power(void **s) { (void)s; check_board(&rpi4); }
static void test_rpi_cm4_binds_gic_timer_console_power(void **s) { (void)s; check_board(&cm4); }
static void test_zcu102_binds_gic_timer_console_psci(void **s) { (void)s; check_board(&zcu); }
static void test_zcu102_rev1_1_binds_the_same(void **s) { (void)s; check_board(&zcu11); }

/* On the Pi 4 the l1-intc node is not an interrupt controller (no
 * interrupt-controller property): the GIC must be the root, checked above;
 * and the Pi 3's armctrl-ic is chained to the l1-intc's line 8. */
static void test_rpi_3b_armctrl_is_chained_to_l1_intc_line_8(void **s)
{
	void *fdt = board_dtb("broadcom/bcm2837-rpi-3-b");
	struct tk_dt_irq irq;
	int armctrl = compat_node(fdt, "brcm,bcm2836-armctrl-ic");

	(void)s;
	assert_int_equal(tk_dt_irqs(fdt, armctrl, &irq, 1), 1);
	assert_int_equal(irq.parent, compat_node(fdt, "brcm,bcm2836-l1-intc"));
	assert_int_equal(irq.cells[0], 8);
	free(fdt);
}

/* The Pi 4 DT leaves /memory empty (reg size 0) for the firmware: alone it
 * gives no RAM, a clear error; the firmware's filled-in copy gives its RAM. */
static void test_rpi_4b_empty_memory_is_an_error_until_filled(void **s)
{
	void *fdt = board_dtb("broadcom/bcm2711-rpi-4-b");
	struct tk_memmap ram;

	(void)s;
	assert_int_equal(tk_memmap_ram_from_dt(fdt, &ram), -ENOENT);
	assert_error_mentions("no enabled memory node");
	fdt = dtb_edit(fdt);
	/* as the firmware writes it on a 4 GiB board: two banks below 4 GiB */
	set_cells(fdt, "/memory@0", "reg", 6, 0, 0, 0x3b400000, 0, 0x40000000, 0xbc000000);
	fdt = dtb_seal(fdt);
	assert_int_equal(tk_memmap_ram_from_dt(fdt, &ram), 0);
	assert_int_equal(tk_memmap_total(&ram), 0x3b400000ull + 0xbc000000ull);
	free(fdt);
}

/* Bad input: the console stdout-path names is missing from the DT. */
static void test_missing_console_node_is_named(void **s)
{
	void *fdt = dtb_edit(board_dtb("broadcom/bcm2837-rpi-3-b"));

	(void)s;
	assert_int_equal(fdt_del_node(fdt, dt_node(fdt, "/soc/serial@7e215040")), 0);
	fdt = dtb_seal(fdt);
	assert_int_equal(tk_dt_stdout_node(fdt), -ENODEV);
	assert_error_mentions("serial1");
	assert_error_mentions("console is missing");
	free(fdt);
}

/* Bad input: a mini-UART without reg has no registers to give its driver. */
static void test_mini_uart_without_reg_is_refused(void **s)
{
	void *fdt = dtb_edit(board_dtb("broadcom/bcm2711-rpi-4-b"));
	struct tk_dt_reg r[2];

	(void)s;
	del_prop(fdt, "/soc/serial@7e215040", "reg");
	fdt = dtb_seal(fdt);
	assert_int_equal(tk_dt_reg(fdt, tk_dt_stdout_node(fdt), r, 2), -ENOENT);
	free(fdt);
}

/* Bad input: the chained controller's parent is gone (its phandle dangles). */
static void test_chained_intc_with_missing_parent_is_named(void **s)
{
	void *fdt = dtb_edit(board_dtb("broadcom/bcm2837-rpi-3-b"));
	struct tk_dt_irq irq;
	int armctrl;

	(void)s;
	assert_int_equal(fdt_del_node(fdt, compat_node(fdt, "brcm,bcm2836-l1-intc")), 0);
	fdt = dtb_seal(fdt);
	armctrl = compat_node(fdt, "brcm,bcm2836-armctrl-ic");
	assert_true(tk_dt_irqs(fdt, armctrl, &irq, 1) < 0);
	assert_error_mentions("interrupt");
	free(fdt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rpi_3b_binds_intc_timer_console_power),
		cmocka_unit_test(test_rpi_3b_plus_binds_the_same),
		cmocka_unit_test(test_rpi_4b_binds_gic_timer_console_power),
		cmocka_unit_test(test_rpi_cm4_binds_gic_timer_console_power),
		cmocka_unit_test(test_zcu102_binds_gic_timer_console_psci),
		cmocka_unit_test(test_zcu102_rev1_1_binds_the_same),
		cmocka_unit_test(test_rpi_3b_armctrl_is_chained_to_l1_intc_line_8),
		cmocka_unit_test(test_rpi_4b_empty_memory_is_an_error_until_filled),
		cmocka_unit_test(test_missing_console_node_is_named),
		cmocka_unit_test(test_mini_uart_without_reg_is_refused),
		cmocka_unit_test(test_chained_intc_with_missing_parent_is_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
