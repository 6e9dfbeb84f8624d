/*
 * BCM2836/BCM2837 per-core ("ARM local") interrupt controller, the root on
 * the Raspberry Pi 2 and 3 (QA7 "ARM Quad A7 core" manual, rev 3.4; the
 * Pi 3's BCM2837 keeps the block at 0x40000000). Binds
 * "brcm,bcm2836-l1-intc".
 *
 * Lines (the binding's first cell): 0..3 the core's generic timer outputs
 * CNTPS, CNTPNS, CNTHP, CNTV; 4..7 its mailboxes; 8 the GPU interrupt (the
 * BCM2835 ARM controller's output, chained); 9 the PMU. The kernel runs on
 * core 0 (the others wait on the spin table), so core 0's registers are
 * the ones used. Every source is level-triggered and silenced at its
 * origin, so there is nothing to end here (eoi is empty).
 *
 * On the BCM2711 (Pi 4) the GIC-400 is the root and the DT keeps a node of
 * this compatible without 'interrupt-controller': that one is refused
 * quietly (-ENODEV).
 */
#include <errno.h>

#include <takt/device.h>
#include <takt/dt.h>

/* Register names as in the QA7 manual's register table. */
#define L1_GPU_ROUTE	0x0c		/* GPU interrupts routing: IRQ core [1:0] */
#define L1_PMU_SET	0x10		/* PMU interrupts routing set / clear */
#define L1_PMU_CLR	0x14
#define L1_TIMER_CTL0	0x40		/* Core0 timers interrupt control, bits 0..3 */
#define L1_MBOX_CTL0	0x50		/* Core0 mailboxes interrupt control */
#define L1_IRQ_SRC0	0x60		/* Core0 IRQ source */

#define LINE_TIMER_LAST	3
#define LINE_MBOX_LAST	7
#define LINE_GPU	8
#define LINE_PMU	9
#define NLINES		10

static struct l1 {
	uintptr_t base;
	uint32_t enabled;	/* lines connected: the ack reads only these */
} l1;

static inline volatile uint32_t *reg(unsigned off)
{
	return (volatile uint32_t *)(l1.base + off);
}

/* <line flags>: the flags (trigger type) are the hardware's, fixed. */
static int l1_xlate(struct tk_device *dev, const uint32_t *c, uint32_t n, unsigned *line)
{
	(void)dev;
	if (n < 1 || c[0] >= NLINES)
		return -EINVAL;
	*line = c[0];
	return 0;
}

static void l1_set(unsigned line, bool on)
{
	if (line <= LINE_TIMER_LAST) {
		uint32_t v = *reg(L1_TIMER_CTL0) & ~(1u << line);

		*reg(L1_TIMER_CTL0) = v | ((uint32_t)on << line);
	} else if (line <= LINE_MBOX_LAST) {
		uint32_t bit = 1u << (line - 4);
		uint32_t v = *reg(L1_MBOX_CTL0) & ~bit;

		*reg(L1_MBOX_CTL0) = on ? v | bit : v;
	} else if (line == LINE_PMU) {
		*reg(on ? L1_PMU_SET : L1_PMU_CLR) = 1u << 0;	/* core 0 */
	}
	/* LINE_GPU cannot be masked here: routing it to core 0 (probe) is all
	 * this block does; the chained controller masks its own lines. */
	if (on)
		l1.enabled |= 1u << line;
	else
		l1.enabled &= ~(1u << line);
}

static void l1_enable(struct tk_device *dev, unsigned line)
{
	(void)dev;
	l1_set(line, true);
}

static void l1_disable(struct tk_device *dev, unsigned line)
{
	(void)dev;
	l1_set(line, false);
}

/* The lowest pending source wins: the timers come before the GPU. */
static unsigned l1_ack(struct tk_device *dev)
{
	(void)dev;
	uint32_t src = *reg(L1_IRQ_SRC0) & l1.enabled;

	return src ? (unsigned)__builtin_ctz(src) : TK_IRQ_SPURIOUS;
}

static void l1_eoi(struct tk_device *dev, unsigned line)
{
	(void)dev;
	(void)line;
}

static const struct tk_intc_ops l1_ops = {
	.xlate = l1_xlate, .enable = l1_enable, .disable = l1_disable,
	.ack = l1_ack, .eoi = l1_eoi, .nlines = NLINES,
};

static int l1_probe(struct tk_device *dev)
{
	int err;

	if (!tk_dt_prop_bool(dev->fdt, dev->node, "interrupt-controller"))
		return -ENODEV;	/* the BCM2711's leftover node: the GIC is root */
	err = tk_dev_mmio(dev, 0, &l1.base, 0);
	if (err)
		return err;
	/* Start from nothing enabled whatever the firmware left, and send the
	 * GPU interrupt to core 0 as an IRQ (routing value 0). */
	*reg(L1_TIMER_CTL0) = 0;
	*reg(L1_MBOX_CTL0) = 0;
	*reg(L1_PMU_CLR) = 0xf;
	*reg(L1_GPU_ROUTE) = 0;
	l1.enabled = 0;
	dev->priv = &l1;
	return tk_intc_register(dev, &l1_ops);
}

TK_DRIVER(bcm2836_l1_intc, TK_LEVEL_INTC, l1_probe, "brcm,bcm2836-l1-intc");
