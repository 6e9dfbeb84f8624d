/*
 * BCM2835 ARM interrupt controller (BCM2835 ARM Peripherals, chapter 7),
 * chained: on the BCM2836/7 its output is line 8 (GPU interrupt) of the
 * per-core controller. Binds "brcm,bcm2836-armctrl-ic" (the chained form;
 * the BCM2835's own "brcm,bcm2835-armctrl-ic" is a root and not handled).
 *
 * Specifier <bank irq>: bank 0 = the ARM-side sources of the basic pending
 * register (bits 0..7: ARM timer, mailbox, doorbells, GPU halts, illegal
 * accesses), bank 1 = GPU interrupts 0..31 (pending 1), bank 2 = GPU
 * interrupts 32..63 (pending 2). Line = bank * 32 + irq.
 */
#include <errno.h>

#include <takt/device.h>
#include <takt/dt.h>

/* Section 7.5, offsets from the block at 0x7e00b200. */
#define IRQ_BASIC_PENDING	0x00
#define IRQ_PENDING_1		0x04
#define IRQ_PENDING_2		0x08
#define FIQ_CONTROL		0x0c
#define ENABLE_IRQS_1		0x10
#define ENABLE_IRQS_2		0x14
#define ENABLE_BASIC_IRQS	0x18
#define DISABLE_IRQS_1		0x1c
#define DISABLE_IRQS_2		0x20
#define DISABLE_BASIC_IRQS	0x24
#define REG_SPAN		0x28	/* through DISABLE_BASIC_IRQS */

#define NBANKS		3
#define BANK0_LINES	8
#define NLINES		(NBANKS * 32)

static const unsigned pending_reg[NBANKS] = { IRQ_BASIC_PENDING, IRQ_PENDING_1, IRQ_PENDING_2 };
static const unsigned enable_reg[NBANKS] = { ENABLE_BASIC_IRQS, ENABLE_IRQS_1, ENABLE_IRQS_2 };
static const unsigned disable_reg[NBANKS] = { DISABLE_BASIC_IRQS, DISABLE_IRQS_1, DISABLE_IRQS_2 };

static struct armctrl {
	uintptr_t base;
	uint32_t enabled[NBANKS];	/* what we enabled: the only bits we dispatch */
} ctl;

static inline volatile uint32_t *reg(unsigned off)
{
	return (volatile uint32_t *)(ctl.base + off);
}

static int armctrl_xlate(struct tk_device *dev, const uint32_t *c, uint32_t n, unsigned *line)
{
	(void)dev;
	if (n < 2)
		return -EINVAL;	/* the DT layer checked #interrupt-cells: not met */
	if (c[0] >= NBANKS || c[1] >= (c[0] == 0 ? BANK0_LINES : 32u)) {
		/* said: the device's driver may only pass the code on */
		tk_dt_err_begin(0, -1);
		tk_dt_err_str("BCM2835 interrupt ");
		tk_dt_err_cells(c, 2);
		tk_dt_err_str(" is not <bank line> with bank 0..2 and line 0..7 (bank 0) or 0..31");
		return -EINVAL;
	}
	*line = c[0] * 32 + c[1];
	return 0;
}

/* The enable and disable registers are write-1-to-set/clear (7.5): no
 * read-modify-write of the hardware, only of our copy. */
static void armctrl_enable(struct tk_device *dev, unsigned line)
{
	(void)dev;
	ctl.enabled[line / 32] |= 1u << (line % 32);
	*reg(enable_reg[line / 32]) = 1u << (line % 32);
}

static void armctrl_disable(struct tk_device *dev, unsigned line)
{
	(void)dev;
	*reg(disable_reg[line / 32]) = 1u << (line % 32);
	ctl.enabled[line / 32] &= ~(1u << (line % 32));
}

/* The parent's line 8 handler: every pending, enabled line once. Bits 8
 * and 9 of basic pending summarise pending 1 and 2, but some GPU lines are
 * reported only as "shortcut" bits 10..20 there (7.5), so the banks with
 * enabled lines are read directly instead. A line still asserted after
 * its handler raises line 8 again. */
static void armctrl_irq(void *arg)
{
	struct tk_device *dev = arg;

	for (unsigned bank = 0; bank < NBANKS; bank++) {
		if (!ctl.enabled[bank])
			continue;
		uint32_t pend = *reg(pending_reg[bank]) & ctl.enabled[bank];

		while (pend) {
			unsigned bit = (unsigned)__builtin_ctz(pend);

			pend &= pend - 1;
			tk_intc_dispatch(dev, bank * 32 + bit);
		}
	}
}

static const struct tk_intc_ops armctrl_ops = {
	.xlate = armctrl_xlate, .enable = armctrl_enable, .disable = armctrl_disable,
	.nlines = NLINES, .chained = true,
};

static int armctrl_probe(struct tk_device *dev)
{
	int err = tk_dev_mmio_regs(dev, 0, REG_SPAN, &ctl.base);

	if (err)
		return err;
	/* Everything masked and no FIQ, whatever the firmware left on. */
	*reg(FIQ_CONTROL) = 0;
	for (unsigned bank = 0; bank < NBANKS; bank++) {
		*reg(disable_reg[bank]) = 0xffffffffu;
		ctl.enabled[bank] = 0;
	}
	dev->priv = &ctl;
	/* Our output on the parent first: with the parent missing or not
	 * bound this fails with -ENXIO and tk_dt_last_error() naming it, and
	 * we stay unregistered, so the devices behind us fail to connect
	 * (-ENXIO) instead of waiting on a line that never fires. All our
	 * lines are masked, so the parent line stays quiet until then. */
	err = tk_irq_connect(dev, 0, armctrl_irq, dev);
	if (err)
		return err;
	return tk_intc_register(dev, &armctrl_ops);
}

TK_DRIVER(bcm2835_armctrl_ic, TK_LEVEL_INTC, armctrl_probe, "brcm,bcm2836-armctrl-ic");
