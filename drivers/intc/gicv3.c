/*
 * GICv3 (ARM IHI 0069): distributor with affinity routing, this CPU's
 * redistributor, and the system-register CPU interface. Binds "arm,gic-v3".
 * reg: <distributor>, <redistributor region>.
 */
#include <takt/device.h>

#include "gic_common.h"

#define GICD_CTLR_RWP		(1u << 31)
#define GICD_CTLR_ARE_NS	(1u << 4)
#define GICD_CTLR_G1A		(1u << 1)
#define GICD_CTLR_G1		(1u << 0)
#define GICD_IROUTER		0x6000
#define GICR_TYPER		0x0008
#define GICR_WAKER		0x0014
#define GICR_FRAME		0x20000		/* RD_base + SGI_base */
#define GICR_SGI		0x10000
#define WAKER_SLEEP		(1u << 1)
#define WAKER_ASLEEP		(1u << 2)
#define TYPER_LAST		(1u << 4)

struct gicv3 {
	uintptr_t dist, sgi;
	unsigned nlines;
};

static struct gicv3 gic;

static uint64_t my_affinity(void)
{
	uint64_t mpidr;

	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
	return (mpidr & 0xffffff) | ((mpidr >> 32 & 0xff) << 24);
}

/* Walk the redistributor frames for the one whose affinity is ours. */
static uintptr_t find_redist(uintptr_t base, uint64_t size)
{
	uint64_t aff = my_affinity();

	for (uint64_t off = 0; off + GICR_FRAME <= size; off += GICR_FRAME) {
		uint64_t typer = *(volatile uint64_t *)(base + off + GICR_TYPER);

		if ((typer >> 32) == aff)
			return base + off;
		if (typer & TYPER_LAST)
			break;
	}
	return 0;
}

static void cpu_if_init(void)
{
	uint64_t sre;

	__asm__ volatile("mrs %0, S3_0_C12_C12_5" : "=r"(sre));	/* ICC_SRE_EL1 */
	__asm__ volatile("msr S3_0_C12_C12_5, %0\n isb" :: "r"(sre | 1));
	__asm__ volatile("msr S3_0_C4_C6_0, %0" :: "r"(0xffull));	/* ICC_PMR_EL1 */
	__asm__ volatile("msr S3_0_C12_C12_3, xzr");			/* ICC_BPR1_EL1 */
	__asm__ volatile("msr S3_0_C12_C12_7, %0\n isb" :: "r"(1ull));	/* ICC_IGRPEN1_EL1 */
}

static int redist_init(uintptr_t rd)
{
	*gic_reg(rd, GICR_WAKER) &= ~WAKER_SLEEP;
	for (unsigned spin = 0; *gic_reg(rd, GICR_WAKER) & WAKER_ASLEEP; spin++)
		if (spin > 1000000)
			return -ETIMEDOUT;
	gic.sgi = rd + GICR_SGI;
	*gic_reg(gic.sgi, GICD_ICENABLER) = 0xffffffffu;
	*gic_reg(gic.sgi, GICD_IGROUPR) = 0xffffffffu;
	for (unsigned i = 0; i < 32; i += 4)
		*gic_reg(gic.sgi, GICD_IPRIORITYR + i) = 0x01010101u * GIC_PRIO_DEFAULT;
	return 0;
}

static int v3_xlate(struct tk_device *dev, const uint32_t *c, uint32_t n, unsigned *line)
{
	(void)dev;
	return gic_xlate(c, n, gic.nlines, line);
}

static void v3_enable(struct tk_device *dev, unsigned line)
{
	(void)dev;
	if (line < 32) {
		gic_enable_bit(gic.sgi, GICD_ISENABLER, line);
		return;
	}
	*(volatile uint64_t *)(gic.dist + GICD_IROUTER + line * 8) = my_affinity();
	gic_enable_bit(gic.dist, GICD_ISENABLER, line);
}

static void v3_disable(struct tk_device *dev, unsigned line)
{
	(void)dev;
	gic_enable_bit(line < 32 ? gic.sgi : gic.dist, GICD_ICENABLER, line);
}

static unsigned v3_ack(struct tk_device *dev)
{
	uint64_t iar;

	(void)dev;
	__asm__ volatile("mrs %0, S3_0_C12_C12_0" : "=r"(iar));	/* ICC_IAR1_EL1 */
	__asm__ volatile("dsb sy" ::: "memory");
	iar &= 0xffffff;
	return iar >= 1020 && iar <= 1023 ? TK_IRQ_SPURIOUS : (unsigned)iar;
}

static void v3_eoi(struct tk_device *dev, unsigned line)
{
	(void)dev;
	__asm__ volatile("msr S3_0_C12_C12_1, %0\n isb" :: "r"((uint64_t)line)); /* ICC_EOIR1_EL1 */
}

static const struct tk_intc_ops v3_ops = {
	.xlate = v3_xlate, .enable = v3_enable, .disable = v3_disable,
	.ack = v3_ack, .eoi = v3_eoi,
};

static int gicv3_probe(struct tk_device *dev)
{
	uintptr_t rbase;
	uint64_t rsize;
	int err;

	if ((err = tk_dev_mmio(dev, 0, &gic.dist, 0)) ||
	    (err = tk_dev_mmio(dev, 1, &rbase, &rsize)))
		return err;
	uintptr_t rd = find_redist(rbase, rsize);

	if (!rd)
		return -ENODEV;
	*gic_reg(gic.dist, GICD_CTLR) = 0;
	while (*gic_reg(gic.dist, GICD_CTLR) & GICD_CTLR_RWP)
		;
	gic.nlines = gic_nlines(gic.dist);
	gic_dist_init_spis(gic.dist, gic.nlines, 0xffffffffu);	/* group 1 NS */
	*gic_reg(gic.dist, GICD_CTLR) = GICD_CTLR_ARE_NS | GICD_CTLR_G1A | GICD_CTLR_G1;
	err = redist_init(rd);
	if (err)
		return err;
	cpu_if_init();
	dev->priv = &gic;
	return tk_intc_register(dev, &v3_ops);
}

TK_DRIVER(gicv3, TK_LEVEL_INTC, gicv3_probe, "arm,gic-v3");
