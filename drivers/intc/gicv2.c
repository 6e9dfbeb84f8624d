/*
 * GICv2 (ARM IHI 0048): distributor and memory-mapped CPU interface.
 * Binds "arm,gic-400", "arm,cortex-a15-gic", "arm,cortex-a9-gic".
 * reg: <distributor>, <cpu interface>.
 */
#include <takt/device.h>

#include "gic_common.h"

#define GICC_CTLR	0x00
#define GICC_PMR	0x04
#define GICC_IAR	0x0c
#define GICC_EOIR	0x10

struct gicv2 {
	uintptr_t dist, cpu;
	unsigned nlines;
};

static struct gicv2 gic;

static int v2_xlate(struct tk_device *dev, const uint32_t *c, uint32_t n, unsigned *line)
{
	(void)dev;
	return gic_xlate(c, n, gic.nlines, line);
}

static void v2_enable(struct tk_device *dev, unsigned line)
{
	(void)dev;
	if (line >= 32)	/* to CPU interface 0: the single-core kernel's */
		((volatile uint8_t *)(gic.dist + GICD_ITARGETSR))[line] = 1;
	gic_enable_bit(gic.dist, GICD_ISENABLER, line);
}

static void v2_disable(struct tk_device *dev, unsigned line)
{
	(void)dev;
	gic_enable_bit(gic.dist, GICD_ICENABLER, line);
}

static unsigned v2_ack(struct tk_device *dev)
{
	(void)dev;
	unsigned iar = *gic_reg(gic.cpu, GICC_IAR) & 0x3ff;

	return iar >= 1020 ? TK_IRQ_SPURIOUS : iar;
}

static void v2_eoi(struct tk_device *dev, unsigned line)
{
	(void)dev;
	*gic_reg(gic.cpu, GICC_EOIR) = line;
}

static const struct tk_intc_ops v2_ops = {
	.xlate = v2_xlate, .enable = v2_enable, .disable = v2_disable,
	.ack = v2_ack, .eoi = v2_eoi,
};

static int gicv2_probe(struct tk_device *dev)
{
	int err;

	if ((err = tk_dev_mmio(dev, 0, &gic.dist, 0)) ||
	    (err = tk_dev_mmio(dev, 1, &gic.cpu, 0)))
		return err;
	*gic_reg(gic.dist, GICD_CTLR) = 0;
	gic.nlines = gic_nlines(gic.dist);
	/* Group 0 throughout: with FIQEn clear it is signalled as IRQ, and
	 * GICC_IAR acknowledges it whether or not the GIC has the security
	 * extensions (a group 1 line would read as 1022 there). */
	gic_dist_init_spis(gic.dist, gic.nlines, 0);
	for (unsigned i = 0; i < 32; i += 4)
		*gic_reg(gic.dist, GICD_IPRIORITYR + i) = 0x01010101u * GIC_PRIO_DEFAULT;
	*gic_reg(gic.dist, GICD_IGROUPR) = 0;
	*gic_reg(gic.dist, GICD_CTLR) = 1;
	*gic_reg(gic.cpu, GICC_PMR) = 0xff;
	*gic_reg(gic.cpu, GICC_CTLR) = 1;
	dev->priv = &gic;
	return tk_intc_register(dev, &v2_ops);
}

TK_DRIVER(gicv2, TK_LEVEL_INTC, gicv2_probe, "arm,gic-400", "arm,cortex-a15-gic", "arm,cortex-a9-gic");
