/*
 * x86 local APIC (Intel SDM vol. 3, ch. 11), xAPIC MMIO mode: the root
 * interrupt controller, whose lines are the CPU's interrupt vectors, and,
 * through its timer, the one-shot clock event. Binds "intel,ce4100-lapic".
 *
 * Specifier <source>: 0 = the LAPIC timer (vector 0xe0). IOAPIC lines
 * arrive as other vectors (drivers/intc/ioapic.c routes them). There is no
 * acknowledge register: the vector being serviced is the highest bit set
 * in the in-service registers (handlers run with interrupts masked, so it
 * is the one just taken). The spurious vector 0xff never sets ISR and needs
 * no EOI, so it reads as TK_IRQ_SPURIOUS.
 *
 * Multicore: the timer and the SVR are per CPU (banked registers at the
 * same address), so cpu_init sets them up on each CPU as on the boot CPU;
 * IPIs are fixed vector VEC_IPI through the ICR, by APIC ID. The driver
 * also starts application processors, as the method "x86-sipi" (the
 * kernel's default for x86 cpu nodes): INIT, then two STARTUP IPIs with
 * the trampoline's page as vector (SDM 8.4.4.1); the 10 ms INIT wait of
 * old CPUs is left out, as Linux does for CPUs since the Pentium 4.
 *
 * Timer: TSC-deadline mode when CPUID.01H:ECX[24] offers it (the deadline
 * is the TSC value itself, no conversion), else one-shot mode with
 * divide-by-1, counting the DT's clock-frequency: QEMU's TCG has no
 * TSC-deadline, and its APIC timer counts the virtual clock in ns (1 GHz),
 * so a deadline in TSC ticks is turned into APIC ticks with the TSC rate
 * (kernel/arch/x86_64/tsc.c). A delta beyond 32 bits fires early; the
 * sleep loop re-arms.
 */
#include <errno.h>

#include <takt/device.h>
#include <takt/dt.h>
#include <takt/log.h>

#define LAPIC_ID	0x020
#define LAPIC_TPR	0x080
#define LAPIC_PPR	0x0a0
#define LAPIC_EOI	0x0b0
#define LAPIC_SVR	0x0f0
#define LAPIC_ISR	0x100
#define LAPIC_ICR_LO	0x300
#define LAPIC_ICR_HI	0x310
#define ICR_BUSY	(1u << 12)	/* delivery status: send pending */
#define ICR_INIT	(5u << 8)
#define ICR_STARTUP	(6u << 8)
#define ICR_ASSERT	(1u << 14)
#define ICR_LEVEL	(1u << 15)
#define LAPIC_LVT_TIMER	0x320
#define LAPIC_TIMER_ICR	0x380
#define LAPIC_TIMER_DCR	0x3e0
#define LAPIC_SPAN	0x3e4	/* through LAPIC_TIMER_DCR */
#define SVR_ENABLE	(1u << 8)
#define LVT_MASKED	(1u << 16)
#define LVT_TSC_DEADLINE (2u << 17)
#define MSR_TSC_DEADLINE 0x6e0
/* The timer outranks every device line (the IOAPIC's vectors are
 * 0x30..0x8f; the LAPIC serves the highest priority class, vector >> 4,
 * first): at 0x20, lowest, a UART's next transmit interrupt pending beside
 * it went first and the woken thread waited for two handlers (cyclictest's
 * max on microvm, 1591 ns against 602). IPIs stay above it. */
#define VEC_TIMER	0xe0
#define VEC_IPI		0xf0
#define VEC_SPURIOUS	0xff
#define SIPI_WAIT_NS	10000u	/* between the STARTUP IPIs */
#define SRC_TIMER	0

/* arch hooks this driver needs, without pulling in the kernel's arch.h */
uint64_t arch_counter(void);
uint64_t arch_counter_freq(void);

struct lapic {
	uintptr_t base;
	bool deadline;
	uint32_t lvt_timer;		/* as the boot CPU has it: cpu_init copies it */
	uint64_t ticks_per_tsc_32;	/* LAPIC ticks per TSC tick, 32.32 */
};

static struct lapic lapic;

static volatile uint32_t *reg(unsigned off)
{
	return (volatile uint32_t *)(lapic.base + off);
}

static int lapic_xlate(struct tk_device *dev, const uint32_t *c, uint32_t n, unsigned *line)
{
	if (n != 1 || c[0] != SRC_TIMER) {
		tk_dt_err_begin(dev->fdt, dev->node);
		tk_dt_err_str("interrupt source must be <0> (the LAPIC timer)");
		return -EINVAL;
	}
	*line = VEC_TIMER;
	return 0;
}

static void lapic_mask(unsigned line, bool masked)
{
	if (line != VEC_TIMER)
		return;
	uint32_t v = lapic.lvt_timer;

	lapic.lvt_timer = masked ? v | LVT_MASKED : v & ~LVT_MASKED;
	*reg(LAPIC_LVT_TIMER) = lapic.lvt_timer;
}

static void lapic_enable(struct tk_device *dev, unsigned line)
{
	(void)dev;
	lapic_mask(line, false);
}

static void lapic_disable(struct tk_device *dev, unsigned line)
{
	(void)dev;
	lapic_mask(line, true);
}

/* The highest vector in service, from ISR register i (vectors 32i..32i+31). */
static int isr_top(int i)
{
	uint32_t isr = *reg(LAPIC_ISR + 0x10 * i);

	return isr ? 32 * i + 31 - __builtin_clz(isr) : -1;
}

/* The vector being taken. PPR's class (bits 7:4) is the highest in-service
 * vector's while TPR is 0 (SDM 11.8.3.1), so it names the one ISR register
 * to read: two MMIO reads instead of a scan of eight (76 instructions for
 * the timer's vector). Nothing there: the scan, as before. */
static unsigned lapic_ack(struct tk_device *dev)
{
	int v = isr_top((int)(*reg(LAPIC_PPR) >> 5) & 7);

	(void)dev;
	for (int i = 7; v < 0 && i >= 0; i--)
		v = isr_top(i);
	return v < 0 ? TK_IRQ_SPURIOUS : (unsigned)v;
}

/* The IDT stub pushed the vector: its line (vectors are lines here). The
 * spurious vector sets no ISR bit and takes no EOI. */
static unsigned lapic_ack_vector(struct tk_device *dev, unsigned vector)
{
	(void)dev;
	return vector == VEC_SPURIOUS || vector > 0xff ? TK_IRQ_SPURIOUS : vector;
}

static void lapic_eoi(struct tk_device *dev, unsigned line)
{
	(void)dev;
	(void)line;
	*reg(LAPIC_EOI) = 0;
}

static void cpu_regs_init(void)
{
	*reg(LAPIC_TPR) = 0;
	*reg(LAPIC_SVR) = SVR_ENABLE | VEC_SPURIOUS;
}

/* On the new CPU: its banked registers as the boot CPU's. */
static void lapic_cpu_init(struct tk_device *dev, unsigned cpu)
{
	(void)dev;
	(void)cpu;
	cpu_regs_init();
	if (!lapic.deadline)
		*reg(LAPIC_TIMER_DCR) = 0xb;	/* divide by 1 */
	*reg(LAPIC_TIMER_ICR) = 0;
	*reg(LAPIC_LVT_TIMER) = lapic.lvt_timer;
}

static void icr_send(uint64_t apic_id, uint32_t lo)
{
	while (*reg(LAPIC_ICR_LO) & ICR_BUSY)
		;
	*reg(LAPIC_ICR_HI) = (uint32_t)apic_id << 24;
	*reg(LAPIC_ICR_LO) = lo;	/* this write sends it */
}

static void lapic_send_ipi(struct tk_device *dev, unsigned cpu, uint64_t hwid)
{
	(void)dev;
	(void)cpu;
	icr_send(hwid, VEC_IPI);	/* fixed, edge, physical destination */
}

static const struct tk_intc_ops lapic_ops = {
	.xlate = lapic_xlate, .enable = lapic_enable, .disable = lapic_disable,
	.ack = lapic_ack, .ack_vector = lapic_ack_vector, .eoi = lapic_eoi, .nlines = 256,
	.cpu_init = lapic_cpu_init, .send_ipi = lapic_send_ipi, .ipi_line = VEC_IPI,
};

static void wait_ns(uint64_t ns)
{
	uint64_t t0 = arch_counter(), ticks = ns * arch_counter_freq() / 1000000000u;

	while (arch_counter() - t0 < ticks)
		__asm__ volatile("pause");	/* QEMU: lets the other vCPUs run */
}

/* INIT-SIPI-SIPI: the AP starts in real mode at entry (a page below 1 MiB). */
static int lapic_cpu_on(struct tk_device *dev, uint64_t hwid, uintptr_t entry)
{
	(void)dev;
	if ((entry & 0xfff) || entry >= 0x100000 || hwid > 0xff)
		return -EINVAL;
	icr_send(hwid, ICR_INIT | ICR_LEVEL | ICR_ASSERT);
	icr_send(hwid, ICR_INIT | ICR_LEVEL);	/* de-assert (ignored by recent CPUs) */
	for (int i = 0; i < 2; i++) {
		icr_send(hwid, ICR_STARTUP | (uint32_t)(entry >> 12));
		wait_ns(SIPI_WAIT_NS);
	}
	return 0;
}

static void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static void timer_set_oneshot(struct tk_device *dev, uint64_t cval)
{
	(void)dev;
	if (lapic.deadline) {
		wrmsr(MSR_TSC_DEADLINE, cval ? cval : 1);
		return;
	}
	uint64_t now = arch_counter();
	uint64_t ticks = cval > now ?
		(uint64_t)(((__uint128_t)(cval - now) * lapic.ticks_per_tsc_32 + 0xffffffffu) >> 32) : 1;

	*reg(LAPIC_TIMER_ICR) = ticks > 0xffffffffu ? 0xffffffffu : ticks ? (uint32_t)ticks : 1;
}

static void timer_cancel(struct tk_device *dev)
{
	(void)dev;
	if (lapic.deadline)
		wrmsr(MSR_TSC_DEADLINE, 0);
	else
		*reg(LAPIC_TIMER_ICR) = 0;
}

static void timer_irq(void *arg)
{
	(void)arg;
	tk_clockevent_fire();	/* one-shot: nothing to silence */
}

static const struct tk_clockevent_ops timer_ops = {
	.set_oneshot = timer_set_oneshot,
	.cancel = timer_cancel,
};

static int timer_init(struct tk_device *dev)
{
	uint32_t a, b, c, d, hz = 0;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	lapic.deadline = c & (1u << 24);
	if (!lapic.deadline) {
		int err = tk_dt_prop_u32(dev->fdt, dev->node, "clock-frequency", &hz);

		if (err)
			return err;
		/* below 1 MHz a one-shot would fire every few TSC ticks: a storm */
		if (hz < 1000000 || arch_counter_freq() == 0) {
			tk_dt_err_begin(dev->fdt, dev->node);
			tk_dt_err_str("clock-frequency below 1 MHz (");
			tk_dt_err_num(hz, 10);
			tk_dt_err_str(" Hz) or the TSC frequency unknown");
			return -EINVAL;
		}
		lapic.ticks_per_tsc_32 = (uint64_t)(((__uint128_t)hz << 32) / arch_counter_freq());
		*reg(LAPIC_TIMER_DCR) = 0xb;	/* divide by 1 */
	}
	*reg(LAPIC_TIMER_ICR) = 0;
	lapic.lvt_timer = VEC_TIMER | LVT_MASKED | (lapic.deadline ? LVT_TSC_DEADLINE : 0);
	*reg(LAPIC_LVT_TIMER) = lapic.lvt_timer;
	int err = tk_irq_connect(dev, 0, timer_irq, dev);

	if (err)
		return err;
	return tk_clockevent_register(dev, &timer_ops);
}

static int lapic_probe(struct tk_device *dev)
{
	int err = tk_dev_mmio_regs(dev, 0, LAPIC_SPAN, &lapic.base);

	if (err)
		return err;
	cpu_regs_init();
	dev->priv = &lapic;
	err = tk_intc_register(dev, &lapic_ops);
	if (err)
		return err;
	/* Without its timer the LAPIC still routes interrupts: bind it and let
	 * the boot's required-device check name the missing timer. */
	err = timer_init(dev);
	if (err)
		tk_printk("lapic: timer not started (%d): %s\n", err, tk_dt_last_error());
	return tk_cpu_method_register(dev, "x86-sipi", lapic_cpu_on);
}

TK_DRIVER(lapic, TK_LEVEL_INTC, lapic_probe, "intel,ce4100-lapic");
