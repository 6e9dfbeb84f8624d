/*
 * GICv2 (ARM IHI 0048): distributor and memory-mapped CPU interface.
 * Binds "arm,gic-400", "arm,cortex-a15-gic", "arm,cortex-a9-gic".
 * reg: <distributor>, <cpu interface>.
 */
#include <errno.h>

#include <takt/device.h>
#include <takt/log.h>

#include "gic_common.h"

#define GICC_CTLR	0x00
#define GICC_PMR	0x04
#define GICC_IAR	0x0c
#define GICC_EOIR	0x10
#define GICC_SPAN	0x14	/* through GICC_EOIR */
#define GICD_PIDR2	0xfe8	/* ARM's implementations (GIC-390/400, QEMU) */

#define GICD_SGIR	0xf00
#define GICD_SPAN	0x1000	/* through the ID registers (GICD_PIDR2) */
#define IPI_SGI		1
#define CPUS_MAX	8

struct gicv2 {
	uintptr_t dist, cpu;
	unsigned nlines;
	uint32_t percpu_on;		/* lines < 32 enabled, replayed on each CPU */
	uint8_t target[CPUS_MAX];	/* each CPU's interface bit (GICD_ITARGETSR0) */
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
	if (line >= 32)	/* to the boot CPU's interface */
		((volatile uint8_t *)(gic.dist + GICD_ITARGETSR))[line] = gic.target[0];
	else
		gic.percpu_on |= 1u << line;
	gic_enable_bit(gic.dist, GICD_ISENABLER, line);	/* banked below 32 */
}

static void v2_disable(struct tk_device *dev, unsigned line)
{
	(void)dev;
	if (line < 32)
		gic.percpu_on &= ~(1u << line);
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

/* Reading any of GICD_ITARGETSR0..7 gives the reader's own interface bit. */
static uint8_t own_target(void)
{
	return *(volatile uint8_t *)(gic.dist + GICD_ITARGETSR);
}

static void cpu_if_on(void)
{
	*gic_reg(gic.cpu, GICC_PMR) = 0xff;
	*gic_reg(gic.cpu, GICC_CTLR) = 1;
}

static void v2_cpu_init(struct tk_device *dev, unsigned cpu)
{
	(void)dev;
	if (cpu >= CPUS_MAX)
		return;
	gic.target[cpu] = own_target();
	for (unsigned i = 0; i < 32; i += 4)
		*gic_reg(gic.dist, GICD_IPRIORITYR + i) = 0x01010101u * GIC_PRIO_DEFAULT;
	*gic_reg(gic.dist, GICD_ISENABLER) = gic.percpu_on;
	cpu_if_on();
}

/* GICD_SGIR: target list [23:16], SGI id [3:0]. */
static void v2_send_ipi(struct tk_device *dev, unsigned cpu, uint64_t hwid)
{
	(void)dev;
	(void)hwid;
	__asm__ volatile("dsb ishst" ::: "memory");
	*gic_reg(gic.dist, GICD_SGIR) = ((uint32_t)gic.target[cpu] << 16) | IPI_SGI;
}

static int v2_route(struct tk_device *dev, unsigned line, unsigned cpu, uint64_t hwid)
{
	(void)dev;
	(void)hwid;
	if (line < 32 || line >= gic.nlines || cpu >= CPUS_MAX || !gic.target[cpu])
		return -EINVAL;
	((volatile uint8_t *)(gic.dist + GICD_ITARGETSR))[line] = gic.target[cpu];
	return 0;
}

static const struct tk_intc_ops v2_ops = {
	.xlate = v2_xlate, .enable = v2_enable, .disable = v2_disable,
	.ack = v2_ack, .eoi = v2_eoi,
	.cpu_init = v2_cpu_init, .send_ipi = v2_send_ipi, .ipi_line = IPI_SGI,
	.route = v2_route,
};

/*
 * Is the distributor a GICv1/v2? GICD_TYPER bits [23:19] are RES0 on a
 * GICv2 and IDbits (>= 15) on a GICv3, whose distributor this driver must
 * not program (its CPU interface is not at reg[1]). GICD_PIDR2.ArchRev is
 * 1 or 2 on ARM's GICv2 parts; the GICv2 ID registers are implementation
 * defined, so a 0 there is let through. Logs why and returns -ENODEV when not.
 */
static int check_v2(struct tk_device *dev, uintptr_t dist)
{
	uint32_t typer = *gic_reg(dist, GICD_TYPER);
	uint32_t rev = (*gic_reg(dist, GICD_PIDR2) >> 4) & 0xf;
	uint32_t idbits = (typer >> 19) & 0x1f;

	if (idbits == 0 && rev <= 2)
		return 0;
	if (idbits)
		tk_printk("gicv2: %s: the distributor is not a GICv2 (GICD_TYPER.IDbits %u: "
			  "a GICv3's): not bound\n", dev->path, (unsigned)idbits);
	else
		tk_printk("gicv2: %s: the distributor is not a GICv2 (GICD_PIDR2 ArchRev %u): "
			  "not bound\n", dev->path, (unsigned)rev);
	return -ENODEV;
}

static int gicv2_probe(struct tk_device *dev)
{
	int err;

	if ((err = tk_dev_mmio_regs(dev, 0, GICD_SPAN, &gic.dist)) ||
	    (err = check_v2(dev, gic.dist)) ||
	    (err = tk_dev_mmio_regs(dev, 1, GICC_SPAN, &gic.cpu)))
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
	gic.target[0] = own_target();
	if (!gic.target[0])
		gic.target[0] = 1;	/* a uniprocessor GIC may read 0 there */
	cpu_if_on();
	dev->priv = &gic;
	return tk_intc_register(dev, &v2_ops);
}

TK_DRIVER(gicv2, TK_LEVEL_INTC, gicv2_probe, "arm,gic-400", "arm,cortex-a15-gic", "arm,cortex-a9-gic");
