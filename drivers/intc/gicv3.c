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
#include <errno.h>

#include <takt/device.h>
#include <takt/log.h>
#include <takt/thread.h>

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

#define IPI_SGI			1
#define CPUS_MAX		8

/* The redistributor region and one SGI/PPI frame per CPU (banked lines:
 * the timer's PPI and the IPI are enabled on every CPU). */
struct gicv3 {
	uintptr_t dist, rbase;
	uint64_t rsize;
	uintptr_t sgi[CPUS_MAX];
	uint32_t percpu_on;	/* lines < 32 enabled, replayed on each CPU */
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

static int redist_init(uintptr_t rd, unsigned cpu)
{
	*gic_reg(rd, GICR_WAKER) &= ~WAKER_SLEEP;
	for (unsigned spin = 0; *gic_reg(rd, GICR_WAKER) & WAKER_ASLEEP; spin++)
		if (spin > 1000000)
			return -ETIMEDOUT;
	uintptr_t sgi = rd + GICR_SGI;

	*gic_reg(sgi, GICD_ICENABLER) = 0xffffffffu;
	*gic_reg(sgi, GICD_IGROUPR) = 0xffffffffu;
	for (unsigned i = 0; i < 32; i += 4)
		*gic_reg(sgi, GICD_IPRIORITYR + i) = 0x01010101u * GIC_PRIO_DEFAULT;
	gic.sgi[cpu] = sgi;
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
		gic.percpu_on |= 1u << line;
		gic_enable_bit(gic.sgi[tk_cpu_id()], GICD_ISENABLER, line);
		return;
	}
	*(volatile uint64_t *)(gic.dist + GICD_IROUTER + line * 8) = my_affinity();
	gic_enable_bit(gic.dist, GICD_ISENABLER, line);
}

static void v3_disable(struct tk_device *dev, unsigned line)
{
	(void)dev;
	if (line < 32)
		gic.percpu_on &= ~(1u << line);
	gic_enable_bit(line < 32 ? gic.sgi[tk_cpu_id()] : gic.dist, GICD_ICENABLER, line);
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

/* A secondary CPU: its redistributor, its CPU interface, and the banked
 * lines CPU 0 enabled. A CPU without a redistributor gets no interrupts;
 * the kernel then never sees it come online. */
static void v3_cpu_init(struct tk_device *dev, unsigned cpu)
{
	uintptr_t rd = find_redist(gic.rbase, gic.rsize);

	if (!rd || cpu >= CPUS_MAX || redist_init(rd, cpu)) {
		tk_printk("gicv3: %s: no redistributor for CPU %u\n", dev->path, cpu);
		return;
	}
	cpu_if_init();
	*gic_reg(gic.sgi[cpu], GICD_ISENABLER) = gic.percpu_on;
}

/* ICC_SGI1R_EL1: Aff3 [55:48], Aff2 [39:32], INTID [27:24], Aff1 [23:16],
 * RS [47:44] (which 16 of Aff0), target list [15:0] (bit Aff0 % 16). */
static void v3_send_ipi(struct tk_device *dev, unsigned cpu, uint64_t hwid)
{
	uint64_t aff0 = hwid & 0xff, v;

	(void)dev;
	(void)cpu;
	v = ((hwid >> 32 & 0xff) << 48) | ((hwid >> 16 & 0xff) << 32) | ((uint64_t)IPI_SGI << 24) |
	    ((hwid >> 8 & 0xff) << 16) | ((aff0 >> 4) << 44) | (1ull << (aff0 & 15));
	__asm__ volatile("dsb ishst\n msr S3_0_C12_C11_5, %0\n isb" :: "r"(v) : "memory");
}

/* GICD_IROUTER: Aff3 [39:32], Aff2..Aff0 [23:0], as the DT's cpu reg. */
static int v3_route(struct tk_device *dev, unsigned line, unsigned cpu, uint64_t hwid)
{
	(void)dev;
	(void)cpu;
	if (line < 32 || line >= gic.nlines)
		return -EINVAL;
	*(volatile uint64_t *)(gic.dist + GICD_IROUTER + line * 8) = hwid & 0xff00ffffffull;
	return 0;
}

static const struct tk_intc_ops v3_ops = {
	.xlate = v3_xlate, .enable = v3_enable, .disable = v3_disable,
	.ack = v3_ack, .eoi = v3_eoi,
	.cpu_init = v3_cpu_init, .send_ipi = v3_send_ipi, .ipi_line = IPI_SGI,
	.route = v3_route,
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
	gic.rbase = rbase;
	gic.rsize = rsize;
	err = redist_init(rd, 0);
	if (err)
		return err;
	cpu_if_init();
	dev->priv = &gic;
	return tk_intc_register(dev, &v3_ops);
}

TK_DRIVER(gicv3, TK_LEVEL_INTC, gicv3_probe, "arm,gic-v3");
