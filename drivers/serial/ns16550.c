/*
 * NS16550-compatible UART, polled transmit. Binds "ns16550a", "ns16550".
 * Registers are in I/O port space when the node has the boolean property
 * io-mapped (as in Zephyr's ns16550 binding; the PC's COM ports), else
 * memory-mapped, reg-shift apart (default 0), reg-io-width 1 or 4.
 * The interrupt, if the node names one, is connected for the receive path
 * to come; IER stays 0, so it never fires yet.
 */
#include <errno.h>

#include <takt/device.h>
#include <takt/dt.h>
#include <takt/log.h>

#define THR	0
#define IER	1
#define FCR	2
#define LCR	3
#define MCR	4
#define LSR	5
#define LSR_THRE (1u << 5)

struct ns16550 {
	uintptr_t base;
	uint32_t shift, width;
	bool io;
};

#define MAX_UARTS 4
static struct ns16550 uarts[MAX_UARTS];
static unsigned nuarts;

static uint8_t rd(const struct ns16550 *u, unsigned r)
{
	uintptr_t a = u->base + (r << u->shift);

#if defined(__x86_64__) || defined(__i386__)
	if (u->io) {
		uint8_t v;

		__asm__ volatile("inb %w1, %0" : "=a"(v) : "Nd"((uint16_t)a));
		return v;
	}
#endif
	return u->width == 4 ? (uint8_t)*(volatile uint32_t *)a : *(volatile uint8_t *)a;
}

static void wr(const struct ns16550 *u, unsigned r, uint8_t v)
{
	uintptr_t a = u->base + (r << u->shift);

#if defined(__x86_64__) || defined(__i386__)
	if (u->io) {
		__asm__ volatile("outb %0, %w1" :: "a"(v), "Nd"((uint16_t)a));
		return;
	}
#endif
	if (u->width == 4)
		*(volatile uint32_t *)a = v;
	else
		*(volatile uint8_t *)a = v;
}

static void ns16550_putc(struct tk_device *dev, char c)
{
	const struct ns16550 *u = dev->priv;

	while (!(rd(u, LSR) & LSR_THRE))
		;
	wr(u, THR, (uint8_t)c);
}

static void ns16550_irq(void *arg)
{
	(void)arg;	/* IER is 0: nothing is enabled to interrupt yet */
}

static const struct tk_console_ops ns16550_ops = { .putc = ns16550_putc };

static int map_regs(struct tk_device *dev, struct ns16550 *u)
{
	uint64_t addr, size;
	int err;

	if (tk_dt_prop_u32(dev->fdt, dev->node, "reg-shift", &u->shift))
		u->shift = 0;
	if (tk_dt_prop_u32(dev->fdt, dev->node, "reg-io-width", &u->width))
		u->width = 1;
	if (u->width != 1 && u->width != 4)
		return -EINVAL;
	if (!u->io)
		return tk_dev_mmio(dev, 0, &u->base, 0);
#if defined(__x86_64__) || defined(__i386__)
	err = tk_dev_reg(dev, 0, &addr, &size);
	if (err)
		return err;
	if (addr + (LSR << u->shift) > 0xffff)
		return -ERANGE;
	u->base = (uintptr_t)addr;
	return 0;
#else
	(void)addr, (void)size, (void)err;
	return -ENOTSUP;	/* no I/O port space on this arch */
#endif
}

static int ns16550_probe(struct tk_device *dev)
{
	if (nuarts == MAX_UARTS)
		return -ENOSPC;
	struct ns16550 *u = &uarts[nuarts];
	int err;

	u->io = tk_dt_prop_str(dev->fdt, dev->node, "io-mapped", &(const char *){0}) != -ENOENT;
	err = map_regs(dev, u);
	if (err)
		return err;
	/* Baud rate and format as firmware left them (QEMU ignores them);
	 * 8N1, FIFOs on, DTR/RTS/OUT2. */
	wr(u, IER, 0);
	wr(u, LCR, 0x03);
	wr(u, FCR, 0x07);
	wr(u, MCR, 0x0b);
	dev->priv = u;
	err = tk_irq_connect(dev, 0, ns16550_irq, dev);
	if (err && err != -ENOENT)
		return err;
	nuarts++;
	return tk_console_register(dev, &ns16550_ops);
}

TK_DRIVER(ns16550, TK_LEVEL_CONSOLE, ns16550_probe, "ns16550a", "ns16550");
