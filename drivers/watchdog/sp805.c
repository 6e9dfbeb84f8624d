/*
 * ARM SP805 watchdog (PrimeCell; binds "arm,sp805", DT binding
 * arm,sp805.yaml, registers from the SP805 TRM, DDI 0270):
 *   WdogLoad 0x000, WdogControl 0x008 (INTEN bit 0, RESEN bit 1),
 *   WdogIntClr 0x00c (a write reloads the counter), WdogLock 0xc00
 *   (0x1acce551 opens the registers to writes, anything else closes them).
 * The counter counts WdogLoad + 1 ticks of WDOGCLK to its interrupt, and
 * the same again to the reset when the interrupt was not cleared; feeding
 * is clearing it. WDOGCLK's rate is the first clock's clock-frequency
 * (a fixed-clock: `clocks = <&clk>, ...`, or the node's own
 * clock-frequency); without one the driver refuses the node (a timeout
 * cannot be set). The interrupt line is not used: the supervisor feeds.
 * QEMU 7.2 models no SP805 on Takt's boards: the arithmetic is checked by
 * a host unit test (sp805_calc.h), the driver by review.
 */
#include <errno.h>

#include <takt/device.h>
#include <takt/dt.h>
#include <takt/watchdog.h>

#include "sp805_calc.h"

#define WDOG_LOAD	0x000
#define WDOG_CONTROL	0x008
#define WDOG_INTCLR	0x00c
#define WDOG_LOCK	0xc00
#define WDOG_REGS_END	0xc04
#define CTRL_INTEN	(1u << 0)
#define CTRL_RESEN	(1u << 1)
#define LOCK_OPEN	0x1acce551u

static struct {
	uintptr_t base;
	uint64_t rate;
	struct tk_watchdog_ops ops;
} wd;

static void wr(unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(wd.base + off) = v;
}

static void wdt_start(struct tk_device *dev, uint32_t timeout_ms)
{
	(void)dev;
	wr(WDOG_LOCK, LOCK_OPEN);
	wr(WDOG_LOAD, sp805_load(wd.rate, timeout_ms));
	wr(WDOG_INTCLR, 1);	/* count from the new load */
	wr(WDOG_CONTROL, CTRL_INTEN | CTRL_RESEN);
	wr(WDOG_LOCK, 0);
}

static void wdt_feed(struct tk_device *dev)
{
	(void)dev;
	wr(WDOG_LOCK, LOCK_OPEN);
	wr(WDOG_INTCLR, 1);
	wr(WDOG_LOCK, 0);
}

static void wdt_stop(struct tk_device *dev)
{
	(void)dev;
	wr(WDOG_LOCK, LOCK_OPEN);
	wr(WDOG_CONTROL, 0);
	wr(WDOG_LOCK, 0);
}

/* WDOGCLK's rate: the first clock's clock-frequency, else the node's. */
static uint64_t clock_rate(const void *fdt, int node)
{
	int clk;
	uint32_t hz = 0;

	if (tk_dt_prop_phandle(fdt, node, "clocks", &clk) == 0 &&
	    tk_dt_prop_u32(fdt, clk, "clock-frequency", &hz) == 0)
		return hz;
	return tk_dt_prop_u32(fdt, node, "clock-frequency", &hz) == 0 ? hz : 0;
}

static int sp805_probe(struct tk_device *dev)
{
	int err = tk_dev_mmio_regs(dev, 0, WDOG_REGS_END, &wd.base);

	if (err)
		return err;
	wd.rate = clock_rate(dev->fdt, dev->node);
	if (!wd.rate) {
		tk_dt_err_begin(dev->fdt, dev->node);
		tk_dt_err_str("no clock rate (clocks -> clock-frequency)");
		return -EINVAL;
	}
	wd.ops = (struct tk_watchdog_ops){ .start = wdt_start, .feed = wdt_feed,
					   .stop = wdt_stop, .max_timeout_ms = sp805_max_ms(wd.rate) };
	return tk_watchdog_register(dev, &wd.ops);
}

TK_DRIVER(sp805, TK_LEVEL_DEVICE, sp805_probe, "arm,sp805");
