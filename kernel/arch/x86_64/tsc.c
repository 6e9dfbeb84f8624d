/*
 * TSC frequency. The TSC is the clock source (arch_counter); its rate is
 * taken, in order, from
 *  1. CPUID 0x15 (crystal clock x TSC/crystal ratio) when fully populated,
 *  2. CPUID 0x40000010 (hypervisor timing leaf, KVM/VMware) when offered,
 *  3. a calibration against the local APIC timer, whose input clock the
 *     DT's LAPIC node gives as clock-frequency.
 * QEMU's TCG offers neither leaf, so (3) is what runs there: QEMU's LAPIC
 * timer counts QEMU's virtual clock in ns (1 GHz with divide-by-1), and
 * the TCG TSC is the host's TSC, or, under -icount, the instruction count
 * in ns too. The TSC is read on both sides of each LAPIC read, and the rate
 * rounded to 1 MHz. The calibration ends once that rate is known within
 * half a MHz (tsc_calib.h: some 26 us under -icount shift=0, where it is
 * exactly 1 GHz: repeatable benchmarks), else after 100 us of LAPIC time
 * (the host TSC rate within about 0.1 % without -icount).
 */
#include <takt/dt.h>
#include <takt/log.h>

#include "../../arch.h"
#include "tsc_calib.h"
#include "x86.h"

#define MSR_APIC_BASE	0x1b
#define LAPIC_LVT_TIMER	0x320
#define LAPIC_TIMER_ICR	0x380
#define LAPIC_TIMER_CCR	0x390
#define LAPIC_TIMER_DCR	0x3e0
#define LVT_MASKED	(1u << 16)
#define CALIB_DIV	10000	/* 1 / 10000 s = 100 us */

static uint64_t from_cpuid(const char **how)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	if (r[0] >= 0x15) {
		cpuid(0x15, 0, r);
		if (r[0] && r[1] && r[2]) {
			*how = "CPUID 0x15";
			return (uint64_t)r[2] * r[1] / r[0];
		}
	}
	cpuid(1, 0, r);
	if (r[2] & (1u << 31)) {	/* running under a hypervisor */
		cpuid(0x40000000, 0, r);
		if (r[0] >= 0x40000010) {
			cpuid(0x40000010, 0, r);
			if (r[0]) {
				*how = "CPUID 0x40000010";
				return (uint64_t)r[0] * 1000;
			}
		}
	}
	return 0;
}

/* TSC at the moment of a LAPIC current-count read: the midpoint, known
 * within the bracket b - a. */
static uint32_t sample(volatile uint32_t *ccr, uint64_t *tsc, uint64_t *bracket)
{
	uint64_t a = arch_counter();	/* the TSC, lfenced */
	uint32_t c = *ccr;
	uint64_t b = arch_counter();

	*tsc = a + (b - a) / 2;
	*bracket = b - a;
	return c;
}

/* The calibration in two halves: the LAPIC counts down while the boot
 * merges QEMU's DT and kernel_start validates and indexes it
 * (arch_counter_init ends it), so the end spins only for what is left of
 * the window, if anything (under -icount: nothing; the window is ended by
 * precision, not time). The LAPIC starts at once (its base is the MSR's);
 * the DT's clock-frequency for it is looked up at the end, in the indexed
 * DT (a raw walk of the blob before its index was 4k instructions). */
static struct {
	volatile uint32_t *regs;	/* the LAPIC's, once counting */
	uint64_t t0, bracket0, hz;
	uint32_t c0, window_us;	/* the LAPIC time it took */
	const char *how;
} calib;

static void calibrate_begin(void)
{
	uintptr_t base = rdmsr(MSR_APIC_BASE) & ~0xfffull;

	if (arch_mmu_map(base, 0x1000, true))
		return;
	volatile uint32_t *r = (volatile uint32_t *)base;

	r[LAPIC_TIMER_DCR / 4] = 0xb;	/* divide by 1 */
	r[LAPIC_LVT_TIMER / 4] = LVT_MASKED;
	r[LAPIC_TIMER_ICR / 4] = 0xffffffffu;
	calib.regs = r;
	calib.c0 = sample(&r[LAPIC_TIMER_CCR / 4], &calib.t0, &calib.bracket0);
}

/* The LAPIC's input clock from the (validated, indexed) DT: one cell, as
 * the LAPIC driver reads it (tk_dt_prop_u32, which refuses any other
 * length); 0 when the DT names none, one of another length, or one too
 * slow to count the window. */
static uint64_t lapic_clock(const void *fdt)
{
	uint32_t hz = 0;

	for (int node = tk_dt_next_node(fdt, -1); node >= 0; node = tk_dt_next_node(fdt, node)) {
		if (tk_dt_compat_index(fdt, node, "intel,ce4100-lapic") < 0)
			continue;
		if (tk_dt_prop_u32(fdt, node, "clock-frequency", &hz))
			hz = 0;
		break;
	}
	return hz < CALIB_DIV ? 0 : hz;
}

static uint64_t calibrate_end(const void *fdt)
{
	uint64_t t1, bracket1, lapic_hz = calib.regs ? lapic_clock(fdt) : 0;
	uint32_t c1;

	if (!lapic_hz) {
		if (calib.regs)
			calib.regs[LAPIC_TIMER_ICR / 4] = 0;
		return 0;
	}
	do
		c1 = sample(&calib.regs[LAPIC_TIMER_CCR / 4], &t1, &bracket1);
	while (calib.c0 - c1 < lapic_hz / CALIB_DIV &&
	       !tsc_calib_enough(t1 - calib.t0, calib.c0 - c1, calib.bracket0 + bracket1, lapic_hz));
	calib.regs[LAPIC_TIMER_ICR / 4] = 0;
	calib.window_us = (uint32_t)((uint64_t)(calib.c0 - c1) * 1000000 / lapic_hz);
	uint64_t hz = (uint64_t)((__uint128_t)(t1 - calib.t0) * lapic_hz / (calib.c0 - c1));

	return (hz + 500000) / 1000000 * 1000000;
}

void x86_tsc_calibrate_begin(void)
{
	calib.how = "calibrated against the LAPIC timer";
	calib.hz = from_cpuid(&calib.how);
	if (!calib.hz)
		calibrate_begin();
}

uint64_t x86_tsc_calibrate_end(const void *fdt)
{
	uint64_t hz = calib.hz ? calib.hz : calibrate_end(fdt);

	if (!hz)
		tk_panic("time: TSC frequency unknown: no CPUID 0x15/0x40000010 and no LAPIC clock-frequency (one cell) in the DT");
	if (calib.window_us)
		tk_printk("time: TSC at %lu Hz (%s over %u us)\n", (unsigned long)hz, calib.how,
			  (unsigned)calib.window_us);
	else
		tk_printk("time: TSC at %lu Hz (%s)\n", (unsigned long)hz, calib.how);
	return hz;
}
