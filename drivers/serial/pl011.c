/* ARM PrimeCell UART (PL011), polled transmit. Binds "arm,pl011". */
#include <errno.h>

#include <takt/device.h>

#define UARTDR		0x00
#define UARTFR		0x18
#define UARTCR		0x30
#define FR_TXFF		(1u << 5)
#define CR_UARTEN	(1u << 0)
#define CR_TXE		(1u << 8)
#define CR_RXE		(1u << 9)

static inline volatile uint32_t *reg(struct tk_device *dev, unsigned off)
{
	return (volatile uint32_t *)((uintptr_t)dev->priv + off);
}

static void pl011_putc(struct tk_device *dev, char c)
{
	while (*reg(dev, UARTFR) & FR_TXFF)
		;
	*reg(dev, UARTDR) = (uint8_t)c;
}

static const struct tk_console_ops pl011_ops = { .putc = pl011_putc };

static int pl011_probe(struct tk_device *dev)
{
	uintptr_t base;
	int err = tk_dev_mmio(dev, 0, &base, 0);

	if (err)
		return err;
	dev->priv = (void *)base;
	/* Firmware may have left the UART off; baud and format are kept as
	 * the boot loader set them (QEMU ignores them). */
	*reg(dev, UARTCR) |= CR_UARTEN | CR_TXE | CR_RXE;
	return tk_console_register(dev, &pl011_ops);
}

TK_DRIVER(pl011, TK_LEVEL_CONSOLE, pl011_probe, "arm,pl011");
