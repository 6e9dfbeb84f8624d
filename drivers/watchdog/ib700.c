/*
 * The ISA watchdog card "ib700" as QEMU models it (-device ib700), for the
 * qemu-microvm-x86_64 board. Binds "takt,ib700": Takt's own compatible,
 * since Linux drives this card by probing fixed ports and has no DT binding;
 * the board DTS names it (dts/bindings/takt,ib700.md) because Takt scans no
 * bus. reg: the card's I/O ports, base 0x441, 3 bytes, io-mapped:
 *   base + 0 (0x441)  any write stops the countdown
 *   base + 2 (0x443)  a write of code 0..15 (re)starts it with timeout
 *                     30 - 2 x code seconds (code 15: at once)
 * (QEMU's hw/watchdog/wdt_ib700.c; Linux's drivers/watchdog/ib700wdt.c.)
 * A timeout asked for is rounded up to the card's 2 s steps; 2..30 s.
 */
#include <errno.h>

#include <takt/device.h>
#include <takt/dt.h>
#include <takt/watchdog.h>

#define IB700_STOP	0		/* offsets from reg's base */
#define IB700_START	2
#define IB700_PORTS	3
#define IB700_MAX_MS	30000u
#define IB700_STEP_MS	2000u

static uint16_t base;
static uint8_t code;		/* the running timeout's code, for feed */

static void outb(uint16_t port, uint8_t v)
{
#if defined(__x86_64__)
	__asm__ volatile("outb %0, %w1" :: "a"(v), "Nd"(port));
#else
	(void)port;	/* no I/O port space: probe refuses the node */
	(void)v;
#endif
}

/* The code of the shortest timeout of at least ms (ms 1..30000). */
static uint8_t code_for(uint32_t ms)
{
	uint32_t steps = (ms + IB700_STEP_MS - 1) / IB700_STEP_MS;	/* 1..15 */

	return (uint8_t)(15 - steps);
}

static void wdt_start(struct tk_device *dev, uint32_t timeout_ms)
{
	(void)dev;
	code = code_for(timeout_ms);
	outb(base + IB700_START, code);
}

static void wdt_feed(struct tk_device *dev)
{
	(void)dev;
	outb(base + IB700_START, code);
}

static void wdt_stop(struct tk_device *dev)
{
	(void)dev;
	outb(base + IB700_STOP, 0);
}

static const struct tk_watchdog_ops ib700_ops = {
	.start = wdt_start, .feed = wdt_feed, .stop = wdt_stop, .max_timeout_ms = IB700_MAX_MS,
};

static int ib700_probe(struct tk_device *dev)
{
	uint64_t addr, size;
	int err = tk_dev_reg(dev, 0, &addr, &size);

	if (err)
		return err;
#if !defined(__x86_64__)
	return -ENOTSUP;	/* an ISA card: I/O ports exist on x86 only */
#endif
	if (!tk_dt_prop_bool(dev->fdt, dev->node, "io-mapped") || size < IB700_PORTS ||
	    addr >= 0x10000 || size > 0x10000 - addr) {	/* no wrap of addr + size */
		tk_dt_err_begin(dev->fdt, dev->node);
		tk_dt_err_str("reg must be the card's 3 I/O ports (io-mapped, below 0x10000)");
		return -EINVAL;
	}
	base = (uint16_t)addr;
	return tk_watchdog_register(dev, &ib700_ops);
}

TK_DRIVER(ib700, TK_LEVEL_DEVICE, ib700_probe, "takt,ib700");
