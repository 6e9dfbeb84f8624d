/*
 * GICv3 (ARM IHI 0069): distributor with affinity routing, this CPU's
 * redistributor, and the system-register CPU interface. Binds "arm,gic-v3".
 * reg: <distributor>, <redistributor region>.
 *
 * The DT may describe other hardware than the machine has (a GICv3 DT on a
 * QEMU started with gic-version=2, a stale DT from the boot loader): the
 * distributor's ID registers are read before anything else, and anything
 * but a GICv3/v4 is refused with a log line and -ENODEV, never touched.
 */
#include <takt/device.h>
#include <takt/log.h>

#include "gic_common.h"

#define GICD_CTLR_RWP		(1u << 31)
#define GICD_CTLR_ARE_NS	(1u << 4)
#define GICD_CTLR_G1A		(1u << 1)
#define GICD_CTLR_G1		(1u << 0)
#define GICD_IROUTER		0x6000
#define GICD_PIDR2		0xffe8	/* GICv3: in the 64 KiB distributor frame */
#define GICD_V2_PIDR2		0x0fe8	/* GICv2: in its 4 KiB distributor */
#define GICD_FRAME		0x10000
#define TYPER_IDBITS(t)		(((t) >> 19) & 0x1f)
#define PIDR2_ARCHREV(p)	(((p) >> 4) & 0xf)
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

/*
 * Is the distributor at dist a GICv3/v4? Read only what is safe on a GICv2
 * first: GICD_TYPER (offset 4 on both) has IDbits >= 15 on a GICv3 (at
 * least 16 interrupt ID bits, IHI 0069 12.9.38) and RES0 there on a GICv2;
 * a GICv2's distributor is 4 KiB, and reading the GICv3 ID register at
 * 0xffe8 of it takes an external abort. Then GICD_PIDR2.ArchRev must say 3
 * or 4. Logs why and returns -ENODEV when not.
 */
static int check_v3(struct tk_device *dev, uintptr_t dist, uint64_t size)
{
	uint32_t typer = *gic_reg(dist, GICD_TYPER), pidr2;

	if (TYPER_IDBITS(typer) < 15) {
		pidr2 = *gic_reg(dist, GICD_V2_PIDR2);
		tk_printk("gicv3: %s: the distributor is not a GICv3 (GICD_TYPER.IDbits %u; "
			  "GICD_PIDR2 at 0x%x: ArchRev %u, a GICv%u): not bound\n", dev->path,
			  (unsigned)TYPER_IDBITS(typer), GICD_V2_PIDR2,
			  (unsigned)PIDR2_ARCHREV(pidr2), (unsigned)PIDR2_ARCHREV(pidr2));
		return -ENODEV;
	}
	if (size < GICD_FRAME) {
		tk_printk("gicv3: %s: the DT gives the distributor 0x%lx bytes, a GICv3's is "
			  "0x%x: not bound\n", dev->path, (unsigned long)size, GICD_FRAME);
		return -ENODEV;
	}
	pidr2 = *gic_reg(dist, GICD_PIDR2);
	if (PIDR2_ARCHREV(pidr2) != 3 && PIDR2_ARCHREV(pidr2) != 4) {
		tk_printk("gicv3: %s: GICD_PIDR2 0x%x: ArchRev %u, not a GICv3/v4: not bound\n",
			  dev->path, (unsigned)pidr2, (unsigned)PIDR2_ARCHREV(pidr2));
		return -ENODEV;
	}
	return 0;
}

static int gicv3_probe(struct tk_device *dev)
{
	uintptr_t rbase;
	uint64_t dsize, rsize;
	int err;

	if ((err = tk_dev_mmio(dev, 0, &gic.dist, &dsize)) ||
	    (err = check_v3(dev, gic.dist, dsize)) ||
	    (err = tk_dev_mmio(dev, 1, &rbase, &rsize)))
		return err;
	uintptr_t rd = find_redist(rbase, rsize);

	if (!rd) {
		tk_printk("gicv3: %s: no redistributor for this CPU in the DT's region: "
			  "not bound\n", dev->path);
		return -ENODEV;
	}
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
