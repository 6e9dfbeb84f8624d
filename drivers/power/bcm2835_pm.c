/*
 * BCM2835 power-management block: system reset, power-off and the
 * watchdog, which are one mechanism (the PM watchdog resets the chip when
 * its countdown ends). Binds "brcm,bcm2835-pm", "brcm,bcm2711-pm" and the
 * older "brcm,bcm2835-pm-wdt"; reg[0] is the PM block.
 *
 * The registers are not in the BCM2835 ARM Peripherals manual; their use
 * here follows what the Raspberry Pi firmware and Linux
 * (drivers/watchdog/bcm2835_wdt.c) rely on:
 *   PM_RSTC 0x1c  reset control: WRCFG [5:4] = 2 arms a full reset
 *   PM_RSTS 0x20  reset status: the boot partition in bits 0,2,4,..,10;
 *                 partition 63 (0x555) tells the firmware to halt
 *   PM_WDOG 0x24  countdown [19:0], in 1/65536 s
 * Every write carries the password 0x5a in bits 31:24, or is ignored.
 */
#include <errno.h>

#include <takt/device.h>
#include <takt/dt.h>
#include <takt/watchdog.h>

#define PM_RSTC			0x1c
#define PM_RSTS			0x20
#define PM_WDOG			0x24
#define PM_REGS_END		0x28
#define PM_PASSWORD		0x5a000000u
#define PM_RSTC_WRCFG_MASK	0x00000030u
#define PM_RSTC_WRCFG_FULL	0x00000020u
#define PM_RSTC_RESET		0x00000102u	/* WRCFG clear: the countdown is ignored */
#define PM_RSTS_PARTITION	0x00000555u	/* the partition bits; all set = 63 = halt */
#define PM_WDOG_TICKS_MAX	0x000fffffu
#define PM_WDOG_HZ		65536u
/* The longest timeout: 0xfffff ticks = 15.99998 s. */
#define PM_WDOG_MAX_MS		((uint32_t)((uint64_t)PM_WDOG_TICKS_MAX * 1000 / PM_WDOG_HZ))
/* A reset "now": the shortest countdown the firmware's own code uses. */
#define PM_RESET_TICKS		10u

static struct pm {
	uintptr_t base;
	uint32_t ticks;		/* the running timeout, for feed */
} pm;

static inline volatile uint32_t *reg(unsigned off)
{
	return (volatile uint32_t *)(pm.base + off);
}

/* Load the countdown and arm the full reset at its end. */
static void pm_arm(uint32_t ticks)
{
	*reg(PM_WDOG) = PM_PASSWORD | (ticks & PM_WDOG_TICKS_MAX);
	uint32_t rstc = *reg(PM_RSTC) & ~PM_RSTC_WRCFG_MASK & ~PM_PASSWORD;

	*reg(PM_RSTC) = PM_PASSWORD | rstc | PM_RSTC_WRCFG_FULL;
}

/* The partition the firmware boots after the reset (63 = halt). */
static void pm_set_partition(uint32_t bits)
{
	uint32_t rsts = *reg(PM_RSTS) & ~PM_RSTS_PARTITION & ~PM_PASSWORD;

	*reg(PM_RSTS) = PM_PASSWORD | rsts | bits;
}

static void pm_reset(struct tk_device *dev)
{
	(void)dev;
	pm_set_partition(0);
	pm_arm(PM_RESET_TICKS);
	for (;;)	/* the reset comes within 10/65536 s */
		;
}

/* Power-off on a Pi is a reset into partition 63: the firmware sees it
 * and halts instead of booting (it cannot cut the board's power). */
static void pm_off(struct tk_device *dev)
{
	(void)dev;
	pm_set_partition(PM_RSTS_PARTITION);
	pm_arm(PM_RESET_TICKS);
	for (;;)
		;
}

static void wdt_start(struct tk_device *dev, uint32_t timeout_ms)
{
	(void)dev;
	/* Round up: never bite before the time asked for. */
	pm.ticks = (uint32_t)(((uint64_t)timeout_ms * PM_WDOG_HZ + 999) / 1000);
	pm_set_partition(0);
	pm_arm(pm.ticks);
}

/* Reloading the countdown is enough: the reset stays armed in RSTC. */
static void wdt_feed(struct tk_device *dev)
{
	(void)dev;
	*reg(PM_WDOG) = PM_PASSWORD | pm.ticks;
}

static void wdt_stop(struct tk_device *dev)
{
	(void)dev;
	*reg(PM_RSTC) = PM_PASSWORD | PM_RSTC_RESET;
}

static const struct tk_power_ops pm_power_ops = { .off = pm_off, .reset = pm_reset };
static const struct tk_watchdog_ops pm_wdt_ops = {
	.start = wdt_start, .feed = wdt_feed, .stop = wdt_stop, .max_timeout_ms = PM_WDOG_MAX_MS,
};

static int pm_probe(struct tk_device *dev)
{
	int err = tk_dev_mmio_regs(dev, 0, PM_REGS_END, &pm.base);

	if (err)
		return err;
	dev->priv = &pm;
	/* Another power driver first (PSCI) keeps power; the watchdog is ours. */
	err = tk_power_register(dev, &pm_power_ops);
	if (err && err != -EBUSY)
		return err;
	return tk_watchdog_register(dev, &pm_wdt_ops);
}

TK_DRIVER(bcm2835_pm, TK_LEVEL_DEVICE, pm_probe, "brcm,bcm2835-pm", "brcm,bcm2711-pm", "brcm,bcm2835-pm-wdt");
