/*
 * BCM2836/BCM2837 per-core ("ARM local") interrupt controller, the root on
 * the Raspberry Pi 2 and 3 (QA7 "ARM Quad A7 core" manual, rev 3.4; the
 * Pi 3's BCM2837 keeps the block at 0x40000000). Binds
 * "brcm,bcm2836-l1-intc".
 *
 * Lines (the binding's first cell): 0..3 the core's generic timer outputs
 * CNTPS, CNTPNS, CNTHP, CNTV; 4..7 its mailboxes; 8 the GPU interrupt (the
 * BCM2835 ARM controller's output, chained); 9 the PMU. Each core has its
 * own timer, mailbox and source registers (the core's MPIDR Aff0 indexes
 * them); the GPU interrupt goes to core 0. Mailbox 0 is the IPI (line 4):
 * another core writes its set register, the ack clears it. Every other
 * source is level-triggered and silenced at its origin, so there is
 * nothing to end here (eoi is empty).
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
#define L1_MBOX0_SET0	0x80		/* Core0 mailbox 0 write-set (core n: + 16 n) */
#define L1_MBOX0_CLR0	0xc0		/* Core0 mailbox 0 read / write-clear */
#define L1_SPAN		0xf4		/* through core 3's mailbox 0 read / write-clear */
#define CORES		4
#define LINE_IPI	4		/* mailbox 0 */

#define LINE_TIMER_LAST	3
#define LINE_MBOX_LAST	7
#define LINE_GPU	8
#define LINE_PMU	9
#define NLINES		10

static struct l1 {
	uintptr_t base;
	uint32_t enabled;	/* lines connected: the ack reads only these */
} l1;

static unsigned core(void)
{
	uint64_t mpidr;

	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
	return (unsigned)(mpidr & (CORES - 1));
}

static inline volatile uint32_t *reg(unsigned off)
{
	return (volatile uint32_t *)(l1.base + off);
}

/* <line flags>: the flags (trigger type) are the hardware's, fixed. */
static int l1_xlate(struct tk_device *dev, const uint32_t *c, uint32_t n, unsigned *line)
{
	(void)dev;
	if (n < 1)
		return -EINVAL;	/* the DT layer checked #interrupt-cells: not met */
	if (c[0] >= NLINES) {
		tk_dt_err_begin(0, -1);
		tk_dt_err_str("BCM2836 per-core interrupt ");
		tk_dt_err_cells(c, 1);
		tk_dt_err_str(" is not below ");
		tk_dt_err_num(NLINES, 10);
		return -EINVAL;
	}
	*line = c[0];
	return 0;
}

static void l1_set(unsigned line, bool on)
{
	unsigned c = core();

	if (line <= LINE_TIMER_LAST) {
		uint32_t v = *reg(L1_TIMER_CTL0 + 4 * c) & ~(1u << line);

		*reg(L1_TIMER_CTL0 + 4 * c) = v | ((uint32_t)on << line);
	} else if (line <= LINE_MBOX_LAST) {
		uint32_t bit = 1u << (line - 4);
		uint32_t v = *reg(L1_MBOX_CTL0 + 4 * c) & ~bit;

		*reg(L1_MBOX_CTL0 + 4 * c) = on ? v | bit : v;
	} else if (line == LINE_PMU) {
		*reg(on ? L1_PMU_SET : L1_PMU_CLR) = 1u << c;
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
	unsigned c = core();
	uint32_t src = *reg(L1_IRQ_SRC0 + 4 * c) & l1.enabled;
	unsigned line = src ? (unsigned)__builtin_ctz(src) : TK_IRQ_SPURIOUS;

	if (line == LINE_IPI)	/* clear before the handler: a later IPI raises it again */
		*reg(L1_MBOX0_CLR0 + 16 * c) = 0xffffffffu;
	return line;
}

static void l1_eoi(struct tk_device *dev, unsigned line)
{
	(void)dev;
	(void)line;
}

/* Another core: the per-core lines core 0 enabled (timer, IPI). */
static void l1_cpu_init(struct tk_device *dev, unsigned cpu)
{
	unsigned c = core();

	(void)dev;
	(void)cpu;
	*reg(L1_TIMER_CTL0 + 4 * c) = l1.enabled & 0xf;
	*reg(L1_MBOX_CTL0 + 4 * c) = (l1.enabled >> 4) & 0xf;
	*reg(L1_MBOX0_CLR0 + 16 * c) = 0xffffffffu;
}

static void l1_send_ipi(struct tk_device *dev, unsigned cpu, uint64_t hwid)
{
	(void)dev;
	(void)cpu;
	__asm__ volatile("dsb ishst" ::: "memory");
	*reg(L1_MBOX0_SET0 + 16 * (unsigned)(hwid & (CORES - 1))) = 1;
}

/* Only the GPU interrupt (the chained BCM2835 controller's) is shared: its
 * routing register names the core. */
static int l1_route(struct tk_device *dev, unsigned line, unsigned cpu, uint64_t hwid)
{
	(void)dev;
	(void)cpu;
	if (line != LINE_GPU)
		return -EINVAL;
	*reg(L1_GPU_ROUTE) = (uint32_t)(hwid & (CORES - 1));
	return 0;
}

static const struct tk_intc_ops l1_ops = {
	.xlate = l1_xlate, .enable = l1_enable, .disable = l1_disable,
	.ack = l1_ack, .eoi = l1_eoi, .nlines = NLINES,
	.cpu_init = l1_cpu_init, .send_ipi = l1_send_ipi, .ipi_line = LINE_IPI,
	.route = l1_route,
};

static int l1_probe(struct tk_device *dev)
{
	int err;

	if (!tk_dt_prop_bool(dev->fdt, dev->node, "interrupt-controller"))
		return -ENODEV;	/* the BCM2711's leftover node: the GIC is root */
	err = tk_dev_mmio_regs(dev, 0, L1_SPAN, &l1.base);
	if (err)
		return err;
	/* Start from nothing enabled whatever the firmware left, and send the
	 * GPU interrupt to core 0 as an IRQ (routing value 0). */
	for (unsigned c = 0; c < CORES; c++) {
		*reg(L1_TIMER_CTL0 + 4 * c) = 0;
		*reg(L1_MBOX_CTL0 + 4 * c) = 0;
		*reg(L1_MBOX0_CLR0 + 16 * c) = 0xffffffffu;
	}
	*reg(L1_PMU_CLR) = 0xf;
	*reg(L1_GPU_ROUTE) = 0;
	l1.enabled = 0;
	dev->priv = &l1;
	return tk_intc_register(dev, &l1_ops);
}

TK_DRIVER(bcm2836_l1_intc, TK_LEVEL_INTC, l1_probe, "brcm,bcm2836-l1-intc");
